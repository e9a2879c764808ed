// Package ebstest is an in-process fake of the six EC2 calls package ebs
// uses (CreateSnapshot, DescribeSnapshots, DeleteSnapshot, CreateVolume,
// DescribeVolumes, AttachVolume), for tests of ebs and of whatever uses it.
//
// The fake keeps EC2's state machines, advancing them as they are looked
// at rather than on a clock, so tests wait for conditions and never for
// time:
//
//	snapshot:   pending → completed, after SnapshotDescribes describes that show it
//	volume:     creating → available, after VolumeDescribes describes
//	attachment: attaching → attached, after AttachDescribes describes
//
// and refuses what EC2 refuses, with EC2's error codes, shaped as the SDK
// returns them (a *smithy.OperationError around a smithy.APIError), each
// rule named where it is enforced with the document it comes from. The
// codes and their meanings are from "Error codes for the Amazon EC2 API"
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html);
// parameter rules are from the request types' documentation in
// aws-sdk-go-v2/service/ec2, generated from the EC2 API model.
//
// Filters are applied as EC2 documents for types.Filter: filters are
// ANDed, a filter's values ORed, names and values case-sensitive; in
// values '*' matches any run of characters, '?' any one character, and a
// backslash escapes the next character.
package ebstest
