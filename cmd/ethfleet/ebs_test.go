package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ethfleet/ethfleet/internal/ebs"
	"github.com/ethfleet/ethfleet/internal/ebs/ebstest"
)

// udevEC2 is the fake EC2 plus what udev does on a Nitro instance: an
// attached volume appears in dir under its serial.
type udevEC2 struct {
	*ebstest.EC2
	dir string
}

func (u udevEC2) AttachVolume(ctx context.Context, in *ec2.AttachVolumeInput, opts ...func(*ec2.Options)) (*ec2.AttachVolumeOutput, error) {
	out, err := u.EC2.AttachVolume(ctx, in, opts...)
	if err == nil {
		link := filepath.Join(u.dir, "nvme-Amazon_Elastic_Block_Store_"+strings.ReplaceAll(aws.ToString(in.VolumeId), "-", ""))
		err = os.WriteFile(link, nil, 0o600)
	}
	return out, err
}

func TestEBSRestore(t *testing.T) {
	const instance, zone = "i-0123456789abcdef0", "eu-west-1a"
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"first node: blank volume", []string{"--size-gib", "2500", "--iops", "6000", "--throughput", "500", "--region", "eu-west-1"}, ""},
		{"no snapshot and no size", nil, "no completed snapshot"},
		{"settings EC2 refuses", []string{"--size-gib", "2500", "--iops", "100"}, "gp3 IOPS 100 outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ebstest.New()
			fake.AddInstance(instance, zone)
			dir := t.TempDir()
			host := ebsHost{
				metadata: func(context.Context) (imds.InstanceIdentityDocument, error) {
					return imds.InstanceIdentityDocument{InstanceID: instance, AvailabilityZone: zone, Region: "eu-west-1"}, nil
				},
				ec2:    func(context.Context, string) (ebs.API, error) { return udevEC2{fake, dir}, nil },
				devDir: dir,
				poll:   time.Millisecond,
			}
			cmd := newEBSCmd(host)
			var out strings.Builder
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			cmd.SetArgs(append([]string{"restore", "--fleet", "prod", "--network", "mainnet", "--client", "geth"}, tt.args...))
			err := cmd.ExecuteContext(t.Context())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			vols := fake.Volumes()
			if len(vols) != 1 {
				t.Fatalf("volumes %v", vols)
			}
			want := filepath.Join(dir, "nvme-Amazon_Elastic_Block_Store_"+strings.ReplaceAll(vols[0], "-", ""))
			if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); lines[len(lines)-1] != want {
				t.Errorf("printed %q, want the device %s last", out.String(), want)
			}
		})
	}
}
