package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/spf13/cobra"

	"github.com/ethfleet/ethfleet/internal/ebs"
)

// ebsHost is what `ethfleet ebs restore` needs of the machine it runs on;
// tests replace it.
type ebsHost struct {
	// metadata answers the instance identity (EC2's IMDS).
	metadata func(ctx context.Context) (imds.InstanceIdentityDocument, error)
	// ec2 builds the EC2 client for region.
	ec2 func(ctx context.Context, region string) (ebs.API, error)
	// devDir is where udev names NVMe EBS volumes by serial
	// (/dev/disk/by-id).
	devDir string
	// poll is the time between EC2 describes while waiting (0: the
	// package's default).
	poll time.Duration
}

var defaultEBSHost = ebsHost{
	metadata: func(ctx context.Context) (imds.InstanceIdentityDocument, error) {
		out, err := imds.New(imds.Options{}).GetInstanceIdentityDocument(ctx, &imds.GetInstanceIdentityDocumentInput{})
		if err != nil {
			return imds.InstanceIdentityDocument{}, fmt.Errorf("instance metadata: %w", err)
		}
		return out.InstanceIdentityDocument, nil
	},
	ec2: func(ctx context.Context, region string) (ebs.API, error) {
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
		if err != nil {
			return nil, err
		}
		return ec2.NewFromConfig(cfg), nil
	},
	devDir: "/dev/disk/by-id",
}

func newEBSCmd(host ebsHost) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ebs",
		Short: "EBS volumes of a node on AWS",
	}
	cmd.AddCommand(newEBSRestoreCmd(host))
	return cmd
}

func newEBSRestoreCmd(host ebsHost) *cobra.Command {
	var s ebs.Snapshotter
	var o ebs.RestoreOptions
	var wait time.Duration
	var region string
	cmd := &cobra.Command{
		Use:   "restore --fleet NAME --network N --client C --size-gib S",
		Short: "Attach this instance's data volume, made from the latest EBS snapshot",
		Long: `restore runs on an EC2 instance at boot, before the node's clients start. It
creates a gp3 volume from the newest completed snapshot tagged with the fleet,
network and client (or, when there is none yet, a blank one of --size-gib),
in the instance's Availability Zone, attaches it, and prints the block device
it appears as. A blank volume has no file system: format it before mounting.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			doc, err := host.metadata(ctx)
			if err != nil {
				return err
			}
			o.InstanceID, o.AvailabilityZone = doc.InstanceID, doc.AvailabilityZone
			if region == "" {
				region = doc.Region
			}
			if s.API, err = host.ec2(ctx, region); err != nil {
				return err
			}
			s.PollInterval = host.poll
			s.OnProgress = func(p ebs.Progress) {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s %s %s (%s)\n", p.ID, p.State, p.Attachment, p.Elapsed.Round(time.Second))
			}
			id, err := s.RestoreVolume(ctx, o)
			if err != nil {
				return err
			}
			dev, err := findDevice(ctx, host.devDir, id, o.Device, wait)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), dev)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&s.Fleet, "fleet", "", "the fleet the snapshots are tagged with (the stack's name)")
	f.StringVar(&s.Network, "network", "", "the node's network")
	f.StringVar(&s.Client, "client", "", "the node's execution client")
	f.StringVar(&o.Device, "device", ebs.DefaultDevice, "the device name to attach at")
	f.Int32Var(&o.SizeGiB, "size-gib", 0, "the volume's size (default: the snapshot's; required for a blank volume)")
	f.Int32Var(&o.IOPS, "iops", 0, "gp3 IOPS (default 3000)")
	f.Int32Var(&o.Throughput, "throughput", 0, "gp3 throughput in MiB/s (default 125)")
	f.Int32Var(&o.InitializationRate, "initialization-rate", 0, "MiB/s at which the snapshot's blocks are fetched (100–300; default lazy)")
	f.StringVar(&region, "region", "", "the EC2 region (default: the instance's)")
	f.DurationVar(&wait, "device-timeout", time.Minute, "how long to wait for the attached volume's device to appear")
	for _, name := range []string{"fleet", "network", "client"} {
		cmd.MarkFlagRequired(name)
	}
	return cmd
}

// findDevice waits for the block device of volume id. On Nitro instances an
// EBS volume is an NVMe device whatever name it was attached at; udev links
// it in dir by its serial, the volume id without its dash. Elsewhere (Xen)
// the device is the name given, or its xvd alias.
func findDevice(ctx context.Context, dir, id, device string, wait time.Duration) (string, error) {
	nvme := filepath.Join(dir, "nvme-Amazon_Elastic_Block_Store_"+strings.ReplaceAll(id, "-", ""))
	candidates := []string{nvme, device, strings.Replace(device, "/dev/sd", "/dev/xvd", 1)}
	deadline := time.Now().Add(wait)
	for {
		for _, c := range candidates {
			if _, err := os.Stat(c); err == nil {
				return c, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("ebs: volume %s is attached but no device appeared (looked for %s)", id, strings.Join(candidates, ", "))
		}
		select {
		case <-ctx.Done():
			return "", errors.Join(ctx.Err(), fmt.Errorf("ebs: waiting for the device of %s", id))
		case <-time.After(500 * time.Millisecond):
		}
	}
}
