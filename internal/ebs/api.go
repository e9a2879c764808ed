package ebs

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
)

// API is the part of *ec2.Client that a Snapshotter uses.
type API interface {
	CreateSnapshot(ctx context.Context, in *ec2.CreateSnapshotInput, optFns ...func(*ec2.Options)) (*ec2.CreateSnapshotOutput, error)
	DescribeSnapshots(ctx context.Context, in *ec2.DescribeSnapshotsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error)
	DeleteSnapshot(ctx context.Context, in *ec2.DeleteSnapshotInput, optFns ...func(*ec2.Options)) (*ec2.DeleteSnapshotOutput, error)
	CreateVolume(ctx context.Context, in *ec2.CreateVolumeInput, optFns ...func(*ec2.Options)) (*ec2.CreateVolumeOutput, error)
	DescribeVolumes(ctx context.Context, in *ec2.DescribeVolumesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error)
	AttachVolume(ctx context.Context, in *ec2.AttachVolumeInput, optFns ...func(*ec2.Options)) (*ec2.AttachVolumeOutput, error)
}

var _ API = (*ec2.Client)(nil)

// Errors a Snapshotter returns, to be told apart with errors.Is.
var (
	// ErrNoSnapshot: no completed snapshot of the fleet, network and
	// client exists.
	ErrNoSnapshot = errors.New("no completed snapshot")
	// ErrTimeout: a wait for a snapshot or volume to reach a state took
	// longer than allowed. The resource is left as it is.
	ErrTimeout = errors.New("timed out")
)

// EC2 error codes this package acts on, from "Error codes for the Amazon
// EC2 API" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
const (
	codeSnapshotNotFound = "InvalidSnapshot.NotFound"
	codeVolumeNotFound   = "InvalidVolume.NotFound"
)

// errorCode is the EC2 error code err carries, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
