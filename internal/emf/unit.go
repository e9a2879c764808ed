package emf

// Unit is a CloudWatch metric unit.
type Unit string

// The CloudWatch metric units. A Metric with no Unit is written without
// one, which CloudWatch takes as None.
const (
	Seconds      Unit = "Seconds"
	Microseconds Unit = "Microseconds"
	Milliseconds Unit = "Milliseconds"

	Bytes     Unit = "Bytes"
	Kilobytes Unit = "Kilobytes"
	Megabytes Unit = "Megabytes"
	Gigabytes Unit = "Gigabytes"
	Terabytes Unit = "Terabytes"
	Bits      Unit = "Bits"
	Kilobits  Unit = "Kilobits"
	Megabits  Unit = "Megabits"
	Gigabits  Unit = "Gigabits"
	Terabits  Unit = "Terabits"

	Percent Unit = "Percent"
	Count   Unit = "Count"

	BytesPerSecond     Unit = "Bytes/Second"
	KilobytesPerSecond Unit = "Kilobytes/Second"
	MegabytesPerSecond Unit = "Megabytes/Second"
	GigabytesPerSecond Unit = "Gigabytes/Second"
	TerabytesPerSecond Unit = "Terabytes/Second"
	BitsPerSecond      Unit = "Bits/Second"
	KilobitsPerSecond  Unit = "Kilobits/Second"
	MegabitsPerSecond  Unit = "Megabits/Second"
	GigabitsPerSecond  Unit = "Gigabits/Second"
	TerabitsPerSecond  Unit = "Terabits/Second"
	CountPerSecond     Unit = "Count/Second"

	None Unit = "None"
)

// units is every valid Unit.
var units = map[Unit]bool{
	Seconds: true, Microseconds: true, Milliseconds: true,
	Bytes: true, Kilobytes: true, Megabytes: true, Gigabytes: true, Terabytes: true,
	Bits: true, Kilobits: true, Megabits: true, Gigabits: true, Terabits: true,
	Percent: true, Count: true,
	BytesPerSecond: true, KilobytesPerSecond: true, MegabytesPerSecond: true, GigabytesPerSecond: true, TerabytesPerSecond: true,
	BitsPerSecond: true, KilobitsPerSecond: true, MegabitsPerSecond: true, GigabitsPerSecond: true, TerabitsPerSecond: true,
	CountPerSecond: true,
	None:           true,
}
