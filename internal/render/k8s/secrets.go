package k8s

import (
	"strings"

	"github.com/ethfleet/ethfleet/internal/config"
	corev1 "k8s.io/api/core/v1"
)

// secretEnv sets each named environment variable from the key of that name
// in the fleet's Secret; an optional one is left unset when the key is
// missing.
func secretEnv(names []string, optional bool) []corev1.EnvVar {
	var env []corev1.EnvVar
	for _, name := range names {
		env = append(env, corev1.EnvVar{
			Name: name,
			ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: keysSecret},
				Key:                  name,
				Optional:             new(optional),
			}},
		})
	}
	return env
}

// expandable rewrites a command-line argument's ${NAME} references as
// $(NAME), which Kubernetes expands from the container's environment, and
// escapes any $( already there.
func expandable(s string) string {
	s = strings.ReplaceAll(s, "$(", "$$(")
	return config.EnvRef.ReplaceAllString(s, "$$($1)")
}
