// Package awsecs is the autoscale provider that scales an ECS service of
// miner tasks through its desired count. Running miners are the
// service's runningCount.
package awsecs
