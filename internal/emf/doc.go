// Package emf writes metrics as CloudWatch Embedded Metric Format (EMF)
// log lines: one JSON object per line, whose "_aws" member tells
// CloudWatch Logs which of the line's other members are metrics (with
// their units) and which are dimensions. A line written to a log group
// that CloudWatch Logs ingests (from a container's standard output, the
// CloudWatch agent or a Lambda) becomes metrics with no PutMetricData
// call and no credentials in the agent.
//
// The format is specified at
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html.
package emf
