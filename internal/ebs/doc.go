// Package ebs keeps EBS snapshots of a node's data volume on AWS and
// restores the newest one when a node boots.
//
// A Snapshotter works for one fleet, network and client:
//
//   - Create snapshots a volume, tagged with the fleet, network, client
//     and block height, and can wait until EC2 reports it completed;
//   - Latest finds the newest completed snapshot carrying those tags;
//   - Prune deletes all but the newest Keep completed ones;
//   - RestoreVolume, at boot, creates a gp3 volume from the newest
//     snapshot in the instance's Availability Zone and attaches it to the
//     instance.
//
// Create (when asked to) and RestoreVolume wait through EC2's states,
// polling at a set interval for at most a set time:
//
//	snapshot: pending → completed (or error)
//	volume:   creating → available → in-use, attachment attaching → attached
//
// "Newest" means the highest ethfleet:block tag, then the latest start
// time: a lagging node's later snapshot does not win over an earlier one
// further up the chain.
//
// It uses the aws-sdk-go-v2 EC2 client through API, the six calls it
// needs, so tests can put a fake in its place; package ebstest holds one
// that keeps to EC2's state machines and answers with EC2's error codes.
//
// gp3 settings are checked before any call, against the limits the EC2 API
// documents for CreateVolume (aws-sdk-go-v2/service/ec2 v1.344's
// CreateVolumeInput, from the EC2 API model) and the EBS User Guide's gp3
// page (https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html#gp3-performance):
// 3,000–80,000 IOPS, 125–2,000 MiB/s, at most 0.25 MiB/s per provisioned
// IOPS, at most 500 IOPS per GiB, and a volume initialization rate of
// 100–300 MiB/s.
//
// On Nitro instances the attached volume appears as an NVMe device
// (/dev/nvme1n1 …), whatever device name AttachVolume was given; finding
// and mounting it is left to the caller.
package ebs
