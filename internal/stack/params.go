package stack

import (
	"encoding/json"
	"fmt"
)

// ParseParameters reads a parameters file in the form the AWS CLI takes:
// a JSON array of {"ParameterKey": ..., "ParameterValue": ...}.
func ParseParameters(data []byte) (map[string]string, error) {
	var list []struct {
		ParameterKey   string
		ParameterValue string
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("stack: parameters: %w", err)
	}
	params := make(map[string]string, len(list))
	for i, p := range list {
		if p.ParameterKey == "" {
			return nil, fmt.Errorf("stack: parameters: entry %d has no ParameterKey", i)
		}
		if _, dup := params[p.ParameterKey]; dup {
			return nil, fmt.Errorf("stack: parameters: %s is given twice", p.ParameterKey)
		}
		params[p.ParameterKey] = p.ParameterValue
	}
	return params, nil
}
