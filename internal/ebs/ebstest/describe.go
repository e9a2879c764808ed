package ebstest

import (
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// record is the fake's state of one resource a Describe call lists.
type record[T any] interface {
	// lagging reports whether the fake's Lag still hides the record from
	// this describe, counting the describe.
	lagging() bool
	// value is the record as EC2 shows it now.
	value() T
	// look is one describe looking at the record: its state moves on
	// (pending to completed, creating to available), and the value after
	// that is returned.
	look() T
}

// query is what DescribeSnapshots and DescribeVolumes are asked alike.
type query struct {
	op         string
	ids        []string // SnapshotIds, VolumeIds
	set        string   // what EC2 calls those ids in its errors: snapshotSet, volumeSet
	maxResults *int32
	nextToken  *string
	filters    []types.Filter
	pageMax    int                   // the largest MaxResults EC2 honours
	notFound   func(id string) error // for an id in ids that does not exist
}

// describe answers a Describe call as EC2 does: the records named by
// q.ids (each must exist), or all of them; only those keep accepts (nil:
// all) and that pass every filter; in pages when MaxResults is set, which
// ids forbid. The caller holds f.mu.
func describe[T any, R record[T]](f *EC2, q query, all map[string]R, fieldsOf func(T) fields, keep func(T) bool) ([]T, *string, error) {
	if err := f.begin(q.op); err != nil {
		return nil, nil, err
	}
	if len(q.ids) > 0 && q.maxResults != nil {
		// MaxResults, as older editions of the API reference document it:
		// "You cannot specify this parameter and the snapshot IDs [volume
		// IDs] parameter in the same request."
		return nil, nil, APIError(q.op, CodeInvalidParameterCombination, "The parameter %s cannot be used with the parameter maxResults", q.set)
	}
	var zero T
	if err := checkFilters(q.op, q.filters, fieldsOf(zero)); err != nil {
		return nil, nil, err
	}
	ids := q.ids
	if len(ids) == 0 {
		ids = slices.Sorted(maps.Keys(all))
	}
	var found []T
	for _, id := range ids {
		r, ok := all[id]
		if ok && r.lagging() {
			ok = false
		}
		if !ok {
			if len(q.ids) > 0 {
				return nil, nil, q.notFound(id)
			}
			continue
		}
		if keep != nil && !keep(r.value()) {
			continue
		}
		if v := r.look(); matches(q.filters, fieldsOf(v)) {
			found = append(found, v)
		}
	}
	from, to, next, err := f.page(q.op, len(found), q.maxResults, q.nextToken, q.pageMax)
	if err != nil {
		return nil, nil, err
	}
	return found[from:to], next, nil
}
