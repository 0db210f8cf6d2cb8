package store

// The SQLite driver: ncruces/go-sqlite3, SQLite compiled to Wasm and translated to Go
// (wasm2go), so no cgo and nothing to install. See the commit that added it for the measured
// comparison with modernc.org/sqlite.
import _ "github.com/ncruces/go-sqlite3/driver"

// driverName is the database/sql name the driver registers.
const driverName = "sqlite3"
