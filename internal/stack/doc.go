// Package stack deploys a CloudFormation stack through change sets and
// shows its progress.
//
// A Deployer plans a change set for a stack (create or update), shows
// what it would change, executes it and follows the stack's events until
// the stack settles, explaining a rollback by the resource that failed
// first. It talks to CloudFormation through API, the few calls of
// *cloudformation.Client it uses; package stacktest fakes them in memory.
package stack
