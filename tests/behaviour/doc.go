// Package behaviour holds one messaging behaviour suite written once against a small dialect
// interface and run through both clients: package api against the fake's On-Premises /v1
// routes and package cloud against its Graph routes, with the same assertions. Built with
// the `live` tag, the same suite also runs against the real Graph API (live_test.go).
//
// The package has no non-test code; this file only carries the documentation.
package behaviour
