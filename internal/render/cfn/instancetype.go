package cfn

import (
	"fmt"

	"github.com/ethfleet/ethfleet/internal/config"
)

// instanceSize is one size of the general purpose (m7i, 4 GiB per vCPU)
// and memory optimised (r7i, 8 GiB per vCPU) families.
type instanceSize struct {
	name string
	vCPU int
}

// sizes are those of both families from large to 16xlarge.
var sizes = []instanceSize{
	{"large", 2}, {"xlarge", 4}, {"2xlarge", 8}, {"4xlarge", 16},
	{"8xlarge", 32}, {"12xlarge", 48}, {"16xlarge", 64},
}

// InstanceType returns the EC2 instance type a node runs on: override
// when set, otherwise the smallest m7i or r7i with at least the node's
// vCPUs and memory. "Smallest" is fewest vCPUs, then least memory, which
// is also the cheapest, since an r7i vCPU costs more than an m7i one.
func InstanceType(override string, r config.Resources) (string, error) {
	if override != "" {
		return override, nil
	}
	for _, s := range sizes {
		for _, f := range []struct {
			name       string
			gibPerVCPU int
		}{{"m7i", 4}, {"r7i", 8}} {
			if s.vCPU >= r.CPU && s.vCPU*f.gibPerVCPU >= r.MemoryGiB {
				return f.name + "." + s.name, nil
			}
		}
	}
	return "", fmt.Errorf("cfn: no m7i or r7i instance has %d vCPUs and %d GiB; set aws.instanceType", r.CPU, r.MemoryGiB)
}
