// Package route53dns registers a node under a name in a Route53 (private)
// hosted zone: one A record holding the node's private IPv4 address,
// created or replaced when the agent starts (UPSERT) and removed when it
// stops (DELETE).
//
// It uses the aws-sdk-go-v2 Route53 client through API, the two calls it
// needs, so tests can put a fake in its place.
package route53dns
