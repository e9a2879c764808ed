package cfn

import (
	"time"

	"github.com/ethfleet/ethfleet/internal/config"
)

// DLMPolicy is AWS::DLM::LifecyclePolicy: EBS snapshots on a schedule.
type DLMPolicy struct {
	Description      string        `yaml:"Description"`
	State            string        `yaml:"State"`
	ExecutionRoleArn any           `yaml:"ExecutionRoleArn"`
	PolicyDetails    PolicyDetails `yaml:"PolicyDetails"`
}

// PolicyDetails is AWS::DLM::LifecyclePolicy.PolicyDetails.
type PolicyDetails struct {
	PolicyType    string        `yaml:"PolicyType"`
	ResourceTypes []string      `yaml:"ResourceTypes"`
	TargetTags    []Tag         `yaml:"TargetTags"`
	Schedules     []DLMSchedule `yaml:"Schedules"`
}

// DLMSchedule is AWS::DLM::LifecyclePolicy.Schedule.
type DLMSchedule struct {
	Name       string        `yaml:"Name"`
	CopyTags   bool          `yaml:"CopyTags"`
	CreateRule DLMCreateRule `yaml:"CreateRule"`
	RetainRule DLMRetainRule `yaml:"RetainRule"`
}

// DLMCreateRule is AWS::DLM::LifecyclePolicy.CreateRule.
type DLMCreateRule struct {
	Interval     int    `yaml:"Interval"`
	IntervalUnit string `yaml:"IntervalUnit"`
}

// DLMRetainRule is AWS::DLM::LifecyclePolicy.RetainRule.
type DLMRetainRule struct {
	Count int `yaml:"Count"`
}

const (
	idDLMRole   = "SnapshotPolicyRole"
	idDLMPolicy = "SnapshotPolicy"
)

// dlmIntervals are the hours Data Lifecycle Manager can snapshot every.
var dlmIntervals = []int{1, 2, 3, 4, 6, 8, 12, 24}

// dlmInterval is the longest interval DLM offers that is not longer than
// every (at least an hour, at most a day).
func dlmInterval(every time.Duration) int {
	best := dlmIntervals[0]
	for _, h := range dlmIntervals {
		if time.Duration(h)*time.Hour <= every {
			best = h
		}
	}
	return best
}

// ebsSnapshots adds, when some node starts from EBS snapshots, what makes
// them: a Data Lifecycle Manager policy that snapshots the fleet's data
// volumes every snapshots.every and keeps snapshots.keep of each. Its
// targets are the volumes `ethfleet ebs restore` made, the only ones
// tagged ethfleet:fleet; the snapshots copy their fleet, network and client
// tags, which is how the next restore finds the newest. They are
// crash-consistent: a node restored from one rewinds its state a little on
// start and catches up.
func (b *builder) ebsSnapshots() {
	if !b.anyEBS() {
		return
	}
	b.t.add(idDLMRole, Resource{Type: "AWS::IAM::Role", Properties: Role{
		Description: "Data Lifecycle Manager snapshots the fleet's data volumes",
		AssumeRolePolicyDocument: Policy{Version: "2012-10-17", Statement: []Statement{{
			Effect: "Allow", Principal: map[string]any{"Service": "dlm.amazonaws.com"}, Action: []string{"sts:AssumeRole"},
		}}},
		ManagedPolicyArns: []any{Sub(arnPrefix + "iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole")},
	}})
	sn := b.cfg.Snapshots
	b.t.add(idDLMPolicy, Resource{Type: "AWS::DLM::LifecyclePolicy", Properties: DLMPolicy{
		Description:      "ethfleet data volumes",
		State:            "ENABLED",
		ExecutionRoleArn: GetAtt(idDLMRole, "Arn"),
		PolicyDetails: PolicyDetails{
			PolicyType:    "EBS_SNAPSHOT_MANAGEMENT",
			ResourceTypes: []string{"VOLUME"},
			TargetTags:    []Tag{{Key: "ethfleet:fleet", Value: Ref("AWS::StackName")}},
			Schedules: []DLMSchedule{{
				Name: "ethfleet", CopyTags: true,
				CreateRule: DLMCreateRule{Interval: dlmInterval(sn.Every), IntervalUnit: "HOURS"},
				RetainRule: DLMRetainRule{Count: sn.Keep},
			}},
		},
	}})
}

func (b *builder) anyEBS() bool {
	for _, dn := range b.nodes {
		if dn.node.Snapshot.Source == config.SnapshotEBS {
			return true
		}
	}
	return false
}
