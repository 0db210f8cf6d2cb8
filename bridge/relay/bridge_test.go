package relay_test

import (
	"github.com/wabiz/wabiz/bridge"
	"github.com/wabiz/wabiz/bridge/relay"
)

// The bridge serves a *Relay at its Cloud endpoint and asks it before sends. (An external
// test package: package bridge imports relay.)
var _ bridge.Relay = (*relay.Relay)(nil)
