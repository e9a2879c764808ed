// Package awsasg is the autoscale provider that scales an EC2 Auto
// Scaling group of miner instances through its desired capacity. Running
// miners are the group's InService instances. A count outside the
// group's MinSize..MaxSize is clamped to it (Auto Scaling would refuse it
// with a ValidationError), and a group whose MaxSize is below the
// controller's maxMiners is reported in the log.
package awsasg
