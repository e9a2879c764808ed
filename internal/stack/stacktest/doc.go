// Package stacktest is an in-memory CloudFormation for tests of package
// stack: Fake implements stack.API with the documented statuses, events
// and errors, one step at a time, and Clock is a stack.Clock that never
// sleeps.
package stacktest
