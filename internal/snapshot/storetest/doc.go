// Package storetest is the conformance suite every snapshot.Store passes:
// the memory store, the file store and S3 (against a real S3-compatible
// server) run the same tests.
package storetest
