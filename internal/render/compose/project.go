package compose

// The parts of the compose file format the renderer writes, with the keys
// of the compose specification. yaml.v3 writes struct fields in their order
// and map keys sorted, so the output is stable.

type project struct {
	Name     string              `yaml:"name"`
	Services map[string]*service `yaml:"services"`
	Volumes  map[string]volume   `yaml:"volumes"`
}

// volume is a named volume with the engine's defaults.
type volume struct{}

type service struct {
	// ContainerName is set on the snapshotter's clients, which its agent
	// stops and starts by name.
	ContainerName string                `yaml:"container_name,omitempty"`
	Image         string                `yaml:"image"`
	User          string                `yaml:"user,omitempty"`
	Command       []string              `yaml:"command,omitempty"`
	Environment   map[string]string     `yaml:"environment,omitempty"`
	Volumes       []string              `yaml:"volumes,omitempty"`
	Ports         []port                `yaml:"ports,omitempty"`
	DependsOn     map[string]dependency `yaml:"depends_on,omitempty"`
	Healthcheck   *healthcheck          `yaml:"healthcheck,omitempty"`
	Restart       string                `yaml:"restart,omitempty"`
	// StopGracePeriod lets a client flush its database before it is
	// killed.
	StopGracePeriod string   `yaml:"stop_grace_period,omitempty"`
	Logging         *logging `yaml:"logging,omitempty"`
}

// port is a published port, in the long syntax: an IPv6 host address
// needs no brackets there.
type port struct {
	Target    int    `yaml:"target"`
	Published string `yaml:"published"`
	HostIP    string `yaml:"host_ip"`
	Protocol  string `yaml:"protocol"`
}

// Conditions of depends_on.
const (
	started   = "service_started"
	completed = "service_completed_successfully"
)

type dependency struct {
	Condition string `yaml:"condition"`
}

type healthcheck struct {
	Test        []string `yaml:"test"`
	Interval    string   `yaml:"interval"`
	Timeout     string   `yaml:"timeout"`
	Retries     int      `yaml:"retries"`
	StartPeriod string   `yaml:"start_period"`
}

type logging struct {
	Driver  string            `yaml:"driver"`
	Options map[string]string `yaml:"options"`
}

// rotatedLogs keeps a service's logs from filling the disk the chain needs.
var rotatedLogs = &logging{Driver: "json-file", Options: map[string]string{"max-size": "50m", "max-file": "3"}}
