// gocheck cross-checks Skiff's protobuf codec against the real Kubernetes Go serializers.
//
//	go run . encode DIR   writes NAME.pb (protobuf envelope) and NAME.json for typed Go objects,
//	                      plus watch.bin (one protobuf watch frame) and watch.json
//	go run . check DIR    for every NAME.ours.pb + NAME.ours.json written by the TS side, prints
//	                      {"NAME": {"fromPb": <Go decode of pb → JSON>, "fromJson": <Go decode of json → JSON>}}
//	                      and for watch.ours.bin the decoded events under "watch"
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	eventsv1 "k8s.io/api/events/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/apimachinery/pkg/runtime/serializer/streaming"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var scheme = runtime.NewScheme()

func init() {
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, authorizationv1.AddToScheme, coordinationv1.AddToScheme,
		admissionregistrationv1.AddToScheme, authenticationv1.AddToScheme, autoscalingv1.AddToScheme, autoscalingv2.AddToScheme, batchv1.AddToScheme, certificatesv1.AddToScheme, discoveryv1.AddToScheme, eventsv1.AddToScheme, networkingv1.AddToScheme, nodev1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme, schedulingv1.AddToScheme, storagev1.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
}

var (
	pb  = protobuf.NewSerializer(scheme, scheme)
	raw = protobuf.NewRawSerializer(scheme, scheme)
	js  = kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{})
)

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func ptr[T any](v T) *T { return &v }

func objects() map[string]runtime.Object {
	ts := metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	labels := map[string]string{"app": "web"}
	return map[string]runtime.Object{
		"deployment": &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", Labels: labels, CreationTimestamp: ts, Generation: 3, UID: "0b1c7c8e-4e6f-4b1a-9b7d-1a2b3c4d5e6f"},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr(int32(0)), Selector: &metav1.LabelSelector{MatchLabels: labels},
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: ptr(intstr.FromString("25%")), MaxSurge: ptr(intstr.FromInt32(1))}},
				Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "nginx", Image: "nginx:1.27"}}}},
			},
		},
		"namespace": &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: "team-a"}},
		"ssar": &authorizationv1.SelfSubjectAccessReview{TypeMeta: metav1.TypeMeta{APIVersion: "authorization.k8s.io/v1", Kind: "SelfSubjectAccessReview"},
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: "default", Verb: "create", Resource: "deployments", Group: "apps"}}},
		"configmap": &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}, ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "default"},
			Data: map[string]string{"b": "2", "a": "1", "empty": ""}, BinaryData: map[string][]byte{"bin": {0, 1, 2, 255}}},
		"secret": &corev1.Secret{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}, ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "default"},
			Type: corev1.SecretTypeOpaque, Data: map[string][]byte{"password": []byte("hunter2"), "zero": {}}, Immutable: ptr(false)},
		"pod": &corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default", Annotations: map[string]string{"x": "y"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply, APIVersion: "v1", Time: &ts, FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:metadata":{"f:annotations":{".":{},"f:x":{}}}}`)}}}},
			Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "app", Image: "busybox", Command: []string{"sh", "-c", "sleep 3600"},
					Ports:          []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}},
					Resources:      corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("128Mi")}},
					LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}, PeriodSeconds: 10},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(8080)}}},
					VolumeMounts:   []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}}},
				Volumes:                       []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("1Gi"))}}}},
				Tolerations:                   []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule, TolerationSeconds: ptr(int64(300))}},
				TerminationGracePeriodSeconds: ptr(int64(30)),
			},
			Status: corev1.PodStatus{Phase: corev1.PodRunning, StartTime: &ts, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: ts}}}},
		"lease": &coordinationv1.Lease{TypeMeta: metav1.TypeMeta{APIVersion: "coordination.k8s.io/v1", Kind: "Lease"}, ObjectMeta: metav1.ObjectMeta{Name: "l", Namespace: "kube-system"},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr("node-1"), LeaseDurationSeconds: ptr(int32(40)), RenewTime: &metav1.MicroTime{Time: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)}}},
	}
}

func toJSON(obj runtime.Object) json.RawMessage {
	var b bytes.Buffer
	must(js.Encode(obj, &b))
	return json.RawMessage(bytes.TrimSpace(b.Bytes()))
}

func decodePB(data []byte) runtime.Object {
	obj, gvk, err := pb.Decode(data, nil, nil)
	must(err)
	obj.GetObjectKind().SetGroupVersionKind(*gvk)
	return obj
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gocheck encode|check DIR")
		os.Exit(2)
	}
	dir := os.Args[2]
	switch os.Args[1] {
	case "encode":
		for name, obj := range objects() {
			var b bytes.Buffer
			must(pb.Encode(obj, &b))
			must(os.WriteFile(filepath.Join(dir, name+".pb"), b.Bytes(), 0o644))
			must(os.WriteFile(filepath.Join(dir, name+".json"), toJSON(obj), 0o644))
		}
		// One watch frame exactly as the apiserver writes it: raw WatchEvent, object enveloped.
		var inner bytes.Buffer
		pod := objects()["pod"]
		must(pb.Encode(pod, &inner))
		var stream bytes.Buffer
		enc := streaming.NewEncoder(protobuf.LengthDelimitedFramer.NewFrameWriter(&stream), raw)
		must(enc.Encode(&metav1.WatchEvent{Type: "ADDED", Object: runtime.RawExtension{Raw: inner.Bytes()}}))
		must(os.WriteFile(filepath.Join(dir, "watch.bin"), stream.Bytes(), 0o644))
		must(os.WriteFile(filepath.Join(dir, "watch.json"), toJSON(pod), 0o644))
	case "check":
		out := map[string]any{}
		files, err := filepath.Glob(filepath.Join(dir, "*.ours.pb"))
		must(err)
		sort.Strings(files)
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".ours.pb")
			data, err := os.ReadFile(f)
			must(err)
			src, err := os.ReadFile(filepath.Join(dir, name+".ours.json"))
			must(err)
			fromJSON, _, err := js.Decode(src, nil, nil)
			must(err)
			out[name] = map[string]json.RawMessage{"fromPb": toJSON(decodePB(data)), "fromJson": toJSON(fromJSON)}
		}
		if data, err := os.ReadFile(filepath.Join(dir, "watch.ours.bin")); err == nil {
			fr := protobuf.LengthDelimitedFramer.NewFrameReader(io.NopCloser(bytes.NewReader(data)))
			dec := streaming.NewDecoder(fr, raw)
			var events []map[string]any
			for {
				var ev metav1.WatchEvent
				_, _, err := dec.Decode(nil, &ev)
				if err == io.EOF {
					break
				}
				must(err)
				events = append(events, map[string]any{"type": ev.Type, "object": toJSON(decodePB(ev.Object.Raw))})
			}
			out["watch"] = events
		}
		b, err := json.Marshal(out)
		must(err)
		os.Stdout.Write(b)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}
