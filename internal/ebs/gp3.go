package ebs

import (
	"errors"
	"fmt"
)

// gp3 limits, as the EC2 API documents them for CreateVolume
// (CreateVolumeInput in aws-sdk-go-v2/service/ec2 v1.344, generated from
// the EC2 API model) and the EBS User Guide's gp3 section
// (https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html#gp3-performance).
// AWS has since raised the IOPS and throughput maxima from 16,000 and
// 1,000 MiB/s; older pages and SDK versions still give those.
const (
	GP3MinIOPS       = 3000 // also EC2's default
	GP3MaxIOPS       = 80000
	GP3MinThroughput = 125  // MiB/s; also EC2's default
	GP3MaxThroughput = 2000 // MiB/s
	// GP3IOPSPerMiBps: throughput is at most 0.25 MiB/s per provisioned
	// IOPS, so IOPS must be at least 4 × throughput.
	GP3IOPSPerMiBps = 4
	// GP3MaxIOPSPerGiB: IOPS above the baseline need at least 1 GiB per
	// 500 IOPS.
	GP3MaxIOPSPerGiB = 500
	GP3MaxSizeGiB    = 65536
	// The Provisioned Rate for Volume Initialization, in MiB/s.
	MinInitializationRate = 100
	MaxInitializationRate = 300
)

// CheckGP3 reports every gp3 setting outside EC2's limits: IOPS,
// throughput (MiB/s) and volume initialization rate (MiB/s), as
// RestoreOptions has them. Zero IOPS or throughput means EC2's default;
// zero rate means none. Configuration checks can use it before a node
// boots.
func CheckGP3(iops, throughput, rate int32) error {
	var errs []error
	if iops != 0 && (iops < GP3MinIOPS || iops > GP3MaxIOPS) {
		errs = append(errs, fmt.Errorf("gp3 IOPS %d outside %d–%d", iops, GP3MinIOPS, GP3MaxIOPS))
	}
	if throughput != 0 && (throughput < GP3MinThroughput || throughput > GP3MaxThroughput) {
		errs = append(errs, fmt.Errorf("gp3 throughput %d MiB/s outside %d–%d MiB/s", throughput, GP3MinThroughput, GP3MaxThroughput))
	}
	effIOPS, effThroughput := int64(defaultIfZero(iops, GP3MinIOPS)), int64(defaultIfZero(throughput, GP3MinThroughput))
	if effThroughput*GP3IOPSPerMiBps > effIOPS {
		errs = append(errs, fmt.Errorf("gp3 throughput %d MiB/s needs at least %d IOPS (0.25 MiB/s per IOPS), have %d", effThroughput, effThroughput*GP3IOPSPerMiBps, effIOPS))
	}
	if rate != 0 && (rate < MinInitializationRate || rate > MaxInitializationRate) {
		errs = append(errs, fmt.Errorf("volume initialization rate %d MiB/s outside %d–%d MiB/s", rate, MinInitializationRate, MaxInitializationRate))
	}
	return errors.Join(errs...)
}

// checkSize reports a volume size, in GiB, that the snapshot or the IOPS
// do not allow.
func checkSize(sizeGiB, snapshotGiB, iops int32) error {
	switch {
	case sizeGiB < snapshotGiB:
		return fmt.Errorf("size %d GiB is smaller than the snapshot's %d GiB", sizeGiB, snapshotGiB)
	case sizeGiB > GP3MaxSizeGiB:
		return fmt.Errorf("size %d GiB above the gp3 maximum of %d GiB", sizeGiB, GP3MaxSizeGiB)
	case iops > GP3MinIOPS && int64(iops) > int64(sizeGiB)*GP3MaxIOPSPerGiB:
		return fmt.Errorf("gp3 IOPS %d need at least %d GiB (500 IOPS per GiB), the volume has %d", iops, (iops+GP3MaxIOPSPerGiB-1)/GP3MaxIOPSPerGiB, sizeGiB)
	}
	return nil
}

func defaultIfZero(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}
