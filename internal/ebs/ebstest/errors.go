package ebstest

import (
	"fmt"

	"github.com/aws/smithy-go"
)

// EC2 error codes the fake answers with; meanings as "Error codes for the
// Amazon EC2 API" gives them.
const (
	// The resource is in an incorrect state for the request, such as
	// attaching a volume that is still being created, or creating a volume
	// from a snapshot that is not completed.
	CodeIncorrectState = "IncorrectState"
	// The request uses the same client token as a previous, but
	// non-identical request.
	CodeIdempotentParameterMismatch = "IdempotentParameterMismatch"
	// The device is already in use on the instance.
	CodeDeviceInUse = "InvalidDevice.InUse"
	// The instance does not exist.
	CodeInstanceNotFound = "InvalidInstanceID.NotFound"
	// A parameter combination is incorrect, or a parameter missing.
	CodeInvalidParameterCombination = "InvalidParameterCombination"
	// A parameter's value is not valid, unsupported, or cannot be used.
	CodeInvalidParameterValue = "InvalidParameterValue"
	// The snapshot is in use by one or more AMIs.
	CodeSnapshotInUse = "InvalidSnapshot.InUse"
	// The snapshot does not exist.
	CodeSnapshotNotFound = "InvalidSnapshot.NotFound"
	// Tag keys cannot be empty, and cannot start with aws:.
	CodeTagKeyMalformed = "InvalidTagKey.Malformed"
	// The volume does not exist.
	CodeVolumeNotFound = "InvalidVolume.NotFound"
	// The volume is not in the same Availability Zone as the instance.
	CodeVolumeZoneMismatch = "InvalidVolume.ZoneMismatch"
	// A required parameter is missing.
	CodeMissingParameter = "MissingParameter"
	// The volume is attached to an instance.
	CodeVolumeInUse = "VolumeInUse"
)

// APIError is an EC2 error answer to operation op, shaped as the SDK
// returns one: a *smithy.OperationError around a *smithy.GenericAPIError
// carrying the code, a client fault. Tests may hand it to Fail.
func APIError(op, code, format string, args ...any) error {
	return &smithy.OperationError{
		ServiceID:     "EC2",
		OperationName: op,
		Err: &smithy.GenericAPIError{
			Code:    code,
			Message: fmt.Sprintf(format, args...),
			Fault:   smithy.FaultClient,
		},
	}
}
