package cfn

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ethfleet/ethfleet/internal/config"
	"go.yaml.in/yaml/v3"
)

// The boot scripts. A host's user data is a few variables, the file its
// ethfleet process reads, and a script. The nodes' script is the same for
// every node: it is kept once, in the SSM parameter /STACK/boot/node, and
// their user data fetches it (nodeBoot), so that the template stays small
// as nodes are added. The scripts are plain bash: inside user data they
// are escaped for Fn::Sub as a whole (every ${ becomes ${!), and only the
// variables above them name CloudFormation values.

// prelude reads the instance's id, installs docker, reads the secrets
// named in $SECRETS from SSM Parameter Store into the environment (and
// ENV, the docker flags that pass them on), and defines run, which starts
// a container on the host's network that logs to the stack's log group.
const prelude = preludeDocker + preludeSecrets + preludeRun

// preludeDocker, preludeSecrets and preludeRun are the parts of prelude; a
// host that reads no secret runs without preludeSecrets.
const (
	preludeDocker = `T=$(curl -sX PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 600')
ID=$(curl -s -H "X-aws-ec2-metadata-token: $T" http://169.254.169.254/latest/meta-data/instance-id)
dnf install -y docker
systemctl enable --now docker
`
	preludeSecrets = `ENV=(-e AWS_REGION=$REGION)
for s in $SECRETS; do
  v=$(aws ssm get-parameter --region $REGION --name /$STACK/gateway/$s --with-decryption --query Parameter.Value --output text)
  export $s="$v"; ENV+=(-e $s)
done
`
	preludeRun = `run() { n=$1; shift; docker run -d --name $n --network host --restart unless-stopped --log-driver awslogs --log-opt awslogs-region=$REGION --log-opt awslogs-group=$LOGS --log-opt awslogs-stream=$NODE/$n/$ID "$@"; }
`
)

// nodeScript provides the data volume, starts the clients and the agent,
// and lets the instance into service once the agent reports ready.
const nodeScript = `c=$(docker create $IMAGE)
docker cp $c:/usr/local/bin/ethfleet /usr/local/bin/ethfleet
docker rm $c
DEV=/dev/sdf
if [ $SOURCE = ebs ]; then
  DEV=$(ethfleet ebs restore --fleet $STACK --network $NETWORK --client $CLIENT --size-gib $SIZE --iops $IOPS --throughput $TPUT --device /dev/sdf --region $REGION)
fi
# On Nitro the volume is an NVMe device Amazon Linux links to $DEV.
for i in $(seq 150); do [ -b $DEV ] && break; sleep 2; done
DEV=$(readlink -f $DEV)
blkid $DEV || mkfs.xfs $DEV
echo "UUID=$(blkid -s UUID -o value $DEV) /data xfs defaults,nofail 0 2" >>/etc/fstab
mkdir -p /data && mount /data
mkdir -p /data/execution /data/consensus
if [ $SOURCE = store ]; then
  ethfleet snapshot restore --boot --store "$STORE" --datadir /data/execution --network $NETWORK --client $CLIENT
fi
J=/etc/ethfleet/jwt.hex
[ -s $J ] || (umask 077; openssl rand -hex 32 >$J)
V=(-u 0 -v /data:/data -v $J:/secrets/jwt.hex:ro)
run execution "${V[@]}" $EXEC_IMAGE "${EXEC_ARGS[@]}"
if [ -n "$CONS_IMAGE" ]; then run consensus "${V[@]}" $CONS_IMAGE "${CONS_ARGS[@]}"; fi
run agent "${ENV[@]}" -v /etc/ethfleet/agent.yaml:/etc/ethfleet/agent.yaml:ro "${AGENT_V[@]}" $IMAGE agent --config /etc/ethfleet/agent.yaml
# Out of service until the agent is ready; after 44 h (the hook's limit
# is 48 h) in service all the same, rather than abandoned.
L=(--region $REGION --lifecycle-hook-name ready --auto-scaling-group-name $STACK-$NODE --instance-id $ID)
n=0
until curl -sf localhost:6060/ready >/dev/null; do
  sleep 60; n=$((n+1))
  if [ $n -ge 2640 ]; then break; fi
  if [ $((n%30)) = 0 ]; then aws autoscaling record-lifecycle-action-heartbeat "${L[@]}" || true; fi
done
aws autoscaling complete-lifecycle-action "${L[@]}" --lifecycle-action-result CONTINUE
`

// nodeBoot is the end of a node's user data: the shared script.
const nodeBoot = `aws ssm get-parameter --region $REGION --name /$STACK/boot/node --query Parameter.Value --output text >/etc/ethfleet/boot.sh
. /etc/ethfleet/boot.sh
`

// gatewayScript runs the gateway.
const gatewayScript = `run gateway "${ENV[@]}" -v /etc/ethfleet/gateway.yaml:/etc/ethfleet/gateway.yaml:ro $IMAGE gateway --config /etc/ethfleet/gateway.yaml
`

// hostFile is a file a host's ethfleet processes read, at
// /etc/ethfleet/NAME; keep names the CloudFormation values it refers to,
// and every other ${ in it is left literal.
type hostFile struct {
	name string
	data []byte
	keep []string
}

// userData is a host's user data: variables, whose values vars has
// already written for Fn::Sub, the files its ethfleet processes read, and
// script.
func userData(vars []string, files []hostFile, script string) (any, error) {
	var b strings.Builder
	b.WriteString("#!/bin/bash\nset -euo pipefail\n")
	for _, v := range vars {
		b.WriteString(v + "\n")
	}
	b.WriteString("mkdir -p /etc/ethfleet\n")
	for _, f := range files {
		data, err := reindent(f.data)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "cat >/etc/ethfleet/%s <<'_EOF_'\n%s_EOF_\n", f.name, subEscape(string(data), f.keep...))
	}
	b.WriteString(subEscape(script))
	return Base64(Sub(b.String())), nil
}

// reindent writes a YAML document with two spaces of indentation, as the
// rest of the template.
func reindent(doc []byte) ([]byte, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		return nil, fmt.Errorf("cfn: %w", err)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, fmt.Errorf("cfn: %w", err)
	}
	return b.Bytes(), enc.Close()
}

// subEscape writes s for Fn::Sub: every ${ stays literal except
// ${NAME} for the names in keep, which CloudFormation substitutes.
func subEscape(s string, keep ...string) string {
	s = strings.ReplaceAll(s, "${", "${!")
	for _, k := range keep {
		s = strings.ReplaceAll(s, "${!"+k+"}", "${"+k+"}")
	}
	return s
}

// shellVar is the assignment NAME=VALUE, with value quoted for bash and
// escaped for Fn::Sub.
func shellVar(name, value string) string { return name + "=" + subEscape(shellQuote(value)) }

// shellArray is the assignment NAME=(VALUES...), quoted and escaped.
func shellArray(name string, values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = shellQuote(v)
	}
	return name + "=(" + subEscape(strings.Join(quoted, " ")) + ")"
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:=@,+%-]+$`)

// shellQuote quotes s for bash where it needs quotes.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// secretNames lists the ${NAME} references in text, sorted, each once,
// but for the names in not.
func secretNames(text string, not ...string) []string {
	return slices.DeleteFunc(config.References(text), func(name string) bool { return slices.Contains(not, name) })
}

// union lists the names of lists, sorted, each once.
func union(lists ...[]string) []string {
	names := slices.Concat(lists...)
	slices.Sort(names)
	return slices.Compact(names)
}
