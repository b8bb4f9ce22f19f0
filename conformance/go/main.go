// Command skiff-conformance drives a Skiff server through client-go only.
//
// Usage: skiff-conformance <kubeconfig> <scenario> <namespace>
//
// Each scenario works inside the given namespace (creating it if needed), prints
// what it checked, and exits 0 on success or 1 with a reason on stderr.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authnv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func ensureNamespace(ctx context.Context, cs kubernetes.Interface, ns string) {
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		fail("create namespace %s: %v", ns, err)
	}
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: skiff-conformance <kubeconfig> <scenario> <namespace>")
		os.Exit(2)
	}
	kubeconfig, scenario, ns := os.Args[1], os.Args[2], os.Args[3]
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	must(err, "load kubeconfig")
	config.Timeout = 20 * time.Second
	// JSON unless a scenario asks otherwise, so JSON scenarios do not depend on protobuf support.
	config.ContentType = "application/json"
	config.AcceptContentTypes = "application/json"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	switch scenario {
	case "typed-crud":
		typedCRUD(ctx, config, ns)
	case "namespaces":
		namespaces(ctx, config, ns)
	case "informer":
		informer(ctx, config, ns)
	case "dynamic":
		dynamicClient(ctx, config, ns)
	case "apply":
		serverSideApply(ctx, config, ns)
	case "dynamic-crd":
		dynamicCustomResources(ctx, config, ns)
	case "protobuf":
		protobuf(ctx, config, ns)
	case "proxy":
		proxyGet(ctx, config, ns)
	case "conversion-read":
		conversionRead(ctx, config, ns)
	case "impersonation":
		impersonation(ctx, config, ns)
	case "client-cert":
		clientCert(ctx, config, ns)
	default:
		fmt.Fprintf(os.Stderr, "unknown scenario %q\n", scenario)
		os.Exit(2)
	}
	fmt.Println("ok", scenario)
}

func clientset(config *rest.Config) kubernetes.Interface {
	cs, err := kubernetes.NewForConfig(config)
	must(err, "clientset")
	return cs
}

// typedCRUD: create, get, update, list by label, delete and confirm NotFound for a ConfigMap.
func typedCRUD(ctx context.Context, config *rest.Config, ns string) {
	cs := clientset(config)
	ensureNamespace(ctx, cs, ns)
	cms := cs.CoreV1().ConfigMaps(ns)
	created, err := cms.Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "cg", Labels: map[string]string{"suite": "client-go"}},
		Data:       map[string]string{"k": "v1"},
	}, metav1.CreateOptions{})
	must(err, "create configmap")
	if created.UID == "" || created.ResourceVersion == "" || created.CreationTimestamp.IsZero() {
		fail("created object lacks uid/resourceVersion/creationTimestamp: %+v", created.ObjectMeta)
	}
	_, err = cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cg"}}, metav1.CreateOptions{})
	if !apierrors.IsAlreadyExists(err) {
		fail("second create: want AlreadyExists, got %v", err)
	}
	got, err := cms.Get(ctx, "cg", metav1.GetOptions{})
	must(err, "get configmap")
	if got.Data["k"] != "v1" {
		fail("get: data %v", got.Data)
	}
	got.Data["k"] = "v2"
	updated, err := cms.Update(ctx, got, metav1.UpdateOptions{})
	must(err, "update configmap")
	if updated.ResourceVersion == got.ResourceVersion {
		fail("update did not change resourceVersion")
	}
	// A stale resourceVersion must conflict.
	got.Data["k"] = "v3"
	_, err = cms.Update(ctx, got, metav1.UpdateOptions{})
	if !apierrors.IsConflict(err) {
		fail("stale update: want Conflict, got %v", err)
	}
	list, err := cms.List(ctx, metav1.ListOptions{LabelSelector: "suite=client-go"})
	must(err, "list configmaps")
	if len(list.Items) != 1 || list.Items[0].Name != "cg" {
		fail("list by label: %d items", len(list.Items))
	}
	must(cms.Delete(ctx, "cg", metav1.DeleteOptions{}), "delete configmap")
	_, err = cms.Get(ctx, "cg", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		fail("get after delete: want NotFound, got %v", err)
	}
}

// namespaces: a new namespace is Active, gets its default ServiceAccount, and deletion completes.
func namespaces(ctx context.Context, config *rest.Config, ns string) {
	cs := clientset(config)
	created, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(err, "create namespace")
	if created.UID == "" {
		fail("created namespace has no uid")
	}
	must(wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	}), "wait for default serviceaccount")
	must(cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}), "delete namespace")
	must(wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	}), "wait for namespace deletion")
}

// informer: a shared informer syncs (list + watch) and then sees an add made after the sync.
func informer(ctx context.Context, config *rest.Config, ns string) {
	cs := clientset(config)
	ensureNamespace(ctx, cs, ns)
	_, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "before"}}, metav1.CreateOptions{})
	must(err, "create configmap before")
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(ns))
	inf := factory.Core().V1().ConfigMaps().Informer()
	added := make(chan string, 16)
	_, err = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if cm, ok := obj.(*corev1.ConfigMap); ok {
				added <- cm.Name
			}
		},
	})
	must(err, "add handler")
	stop := make(chan struct{})
	defer close(stop)
	factory.Start(stop)
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		fail("informer did not sync")
	}
	if _, ok, _ := inf.GetStore().GetByKey(ns + "/before"); !ok {
		fail("synced store lacks %s/before", ns)
	}
	_, err = cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "after"}}, metav1.CreateOptions{})
	must(err, "create configmap after")
	for {
		select {
		case name := <-added:
			if name == "after" {
				return
			}
		case <-ctx.Done():
			fail("informer never saw the add of %s/after", ns)
		}
	}
}

// dynamicClient: create and list unstructured objects through the dynamic client.
func dynamicClient(ctx context.Context, config *rest.Config, ns string) {
	cs := clientset(config)
	ensureNamespace(ctx, cs, ns)
	dc, err := dynamic.NewForConfig(config)
	must(err, "dynamic client")
	gvr := schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "dyn", "labels": map[string]any{"app": "dyn"}},
		"spec": map[string]any{
			"replicas": int64(1),
			"selector": map[string]any{"matchLabels": map[string]any{"app": "dyn"}},
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"app": "dyn"}},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "c", "image": "nginx:1.27"}}},
			},
		},
	}}
	created, err := dc.Resource(gvr).Namespace(ns).Create(ctx, obj, metav1.CreateOptions{})
	must(err, "dynamic create deployment")
	if created.GetUID() == "" {
		fail("dynamic create: no uid")
	}
	list, err := dc.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=dyn"})
	must(err, "dynamic list")
	if len(list.Items) != 1 || list.Items[0].GetName() != "dyn" {
		fail("dynamic list: %d items", len(list.Items))
	}
	if list.GetKind() != "DeploymentList" && list.GetKind() != "" {
		fail("dynamic list kind %q", list.GetKind())
	}
}

// serverSideApply: apply a ConfigMap twice with ApplyConfigurations, then a conflicting manager.
func serverSideApply(ctx context.Context, config *rest.Config, ns string) {
	cs := clientset(config)
	ensureNamespace(ctx, cs, ns)
	cms := cs.CoreV1().ConfigMaps(ns)
	ac := corev1ac.ConfigMap("ssa", ns).WithData(map[string]string{"a": "1"})
	first, err := cms.Apply(ctx, ac, metav1.ApplyOptions{FieldManager: "conformance"})
	must(err, "first apply")
	if first.Data["a"] != "1" {
		fail("first apply data %v", first.Data)
	}
	if len(first.ManagedFields) == 0 || first.ManagedFields[0].Manager != "conformance" {
		fail("first apply: managedFields %v", first.ManagedFields)
	}
	second, err := cms.Apply(ctx, corev1ac.ConfigMap("ssa", ns).WithData(map[string]string{"a": "1", "b": "2"}), metav1.ApplyOptions{FieldManager: "conformance"})
	must(err, "second apply")
	if second.Data["b"] != "2" {
		fail("second apply data %v", second.Data)
	}
	_, err = cms.Apply(ctx, corev1ac.ConfigMap("ssa", ns).WithData(map[string]string{"a": "other"}), metav1.ApplyOptions{FieldManager: "intruder"})
	if !apierrors.IsConflict(err) {
		fail("apply by another manager changing an owned field: want Conflict, got %v", err)
	}
	forced, err := cms.Apply(ctx, corev1ac.ConfigMap("ssa", ns).WithData(map[string]string{"a": "other"}), metav1.ApplyOptions{FieldManager: "intruder", Force: true})
	must(err, "forced apply")
	if forced.Data["a"] != "other" {
		fail("forced apply data %v", forced.Data)
	}
	// A merge patch through the typed client also works alongside apply.
	_, err = cms.Patch(ctx, "ssa", types.MergePatchType, []byte(`{"metadata":{"labels":{"patched":"yes"}}}`), metav1.PatchOptions{})
	must(err, "merge patch")
}

// protobuf: typed CRUD on pods and deployments with protobuf request and response bodies.
func protobuf(ctx context.Context, config *rest.Config, ns string) {
	jsonCS := clientset(config)
	ensureNamespace(ctx, jsonCS, ns)
	pc := rest.CopyConfig(config)
	pc.ContentType = "application/vnd.kubernetes.protobuf"
	pc.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cs := clientset(pc)
	pod, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "pb", Labels: map[string]string{"app": "pb"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx:1.27"}}},
	}, metav1.CreateOptions{})
	must(err, "protobuf create pod")
	if pod.UID == "" || pod.Spec.Containers[0].Image != "nginx:1.27" {
		fail("protobuf create pod: bad reply %+v", pod.ObjectMeta)
	}
	replicas := int32(2)
	dep, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "pb"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "pb"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "pb"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "nginx:1.27"}}},
			},
		},
	}, metav1.CreateOptions{})
	must(err, "protobuf create deployment")
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 2 {
		fail("protobuf create deployment: replicas %v", dep.Spec.Replicas)
	}
	// The deployment controller writes status meanwhile, so update as real clients do: re-read and
	// retry on 409 Conflict.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, gerr := cs.AppsV1().Deployments(ns).Get(ctx, "pb", metav1.GetOptions{})
		if gerr != nil {
			return gerr
		}
		cur.Labels = map[string]string{"updated": "yes"}
		dep, gerr = cs.AppsV1().Deployments(ns).Update(ctx, cur, metav1.UpdateOptions{})
		return gerr
	})
	must(err, "protobuf update deployment")
	if dep.Labels["updated"] != "yes" {
		fail("protobuf update: labels %v", dep.Labels)
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=pb"})
	must(err, "protobuf list pods")
	found := false
	for _, p := range pods.Items {
		if p.Name == "pb" {
			found = true
		}
	}
	if !found {
		fail("protobuf list: pod pb missing")
	}
	// Watch over protobuf (length-prefixed WatchEvent frames): deleting each object must arrive as DELETED.
	deps, err := cs.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	must(err, "protobuf list deployments")
	dw, err := cs.AppsV1().Deployments(ns).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=pb", ResourceVersion: deps.ResourceVersion})
	must(err, "protobuf watch deployments")
	pw, err := cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=pb", ResourceVersion: pods.ResourceVersion})
	must(err, "protobuf watch pods")
	must(cs.AppsV1().Deployments(ns).Delete(ctx, "pb", metav1.DeleteOptions{}), "protobuf delete deployment")
	must(cs.CoreV1().Pods(ns).Delete(ctx, "pb", metav1.DeleteOptions{}), "protobuf delete pod")
	for name, w := range map[string]watch.Interface{"deployment": dw, "pod": pw} {
		deadline := time.After(30 * time.Second)
		deleted := false
		for !deleted {
			select {
			case ev, ok := <-w.ResultChan():
				if !ok {
					fail("protobuf watch %s: stream ended before DELETED", name)
				}
				if ev.Type == watch.Error {
					fail("protobuf watch %s: error event %v", name, ev.Object)
				}
				deleted = ev.Type == watch.Deleted
			case <-deadline:
				fail("protobuf watch %s: no DELETED event within 30s", name)
			}
		}
		w.Stop()
	}
}

// dynamicCustomResources: create a CRD with the dynamic client, wait for Established, then create,
// get, update, update status, list, watch and delete custom objects, and delete the CRD.
func dynamicCustomResources(ctx context.Context, config *rest.Config, ns string) {
	cs := clientset(config)
	ensureNamespace(ctx, cs, ns)
	dc, err := dynamic.NewForConfig(config)
	must(err, "dynamic client")
	group := ns + ".skiff.test"
	crdGVR := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "sprockets." + group},
		"spec": map[string]any{
			"group": group, "scope": "Namespaced",
			"names": map[string]any{"plural": "sprockets", "singular": "sprocket", "kind": "Sprocket"},
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"subresources": map[string]any{"status": map[string]any{}},
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "properties": map[string]any{
					"spec":   map[string]any{"type": "object", "properties": map[string]any{"teeth": map[string]any{"type": "integer"}}},
					"status": map[string]any{"type": "object", "properties": map[string]any{"worn": map[string]any{"type": "boolean"}}},
				}}},
			}},
		},
	}}
	_, err = dc.Resource(crdGVR).Create(ctx, crd, metav1.CreateOptions{})
	must(err, "create CRD")
	err = wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := dc.Resource(crdGVR).Get(ctx, "sprockets."+group, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, c := range conds {
			m := c.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	must(err, "wait for Established")
	gvr := schema.GroupVersionResource{Group: group, Version: "v1", Resource: "sprockets"}
	res := dc.Resource(gvr).Namespace(ns)
	list0, err := res.List(ctx, metav1.ListOptions{})
	must(err, "list custom objects")
	w, err := res.Watch(ctx, metav1.ListOptions{ResourceVersion: list0.GetResourceVersion()})
	must(err, "watch custom objects")
	defer w.Stop()
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": group + "/v1", "kind": "Sprocket",
		"metadata": map[string]any{"name": "s1", "labels": map[string]any{"size": "big"}},
		"spec":     map[string]any{"teeth": int64(12)},
	}}
	created, err := res.Create(ctx, obj, metav1.CreateOptions{})
	must(err, "create custom object")
	if created.GetUID() == "" || created.GetGeneration() != 1 {
		fail("created custom object: uid %q generation %d", created.GetUID(), created.GetGeneration())
	}
	must(unstructured.SetNestedField(created.Object, int64(13), "spec", "teeth"), "set teeth")
	updated, err := res.Update(ctx, created, metav1.UpdateOptions{})
	must(err, "update custom object")
	if updated.GetGeneration() != 2 {
		fail("generation after a spec update: %d", updated.GetGeneration())
	}
	must(unstructured.SetNestedField(updated.Object, true, "status", "worn"), "set status")
	st, err := res.UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	must(err, "update status")
	if worn, _, _ := unstructured.NestedBool(st.Object, "status", "worn"); !worn || st.GetGeneration() != 2 {
		fail("status update: worn=%v generation=%d", worn, st.GetGeneration())
	}
	list, err := res.List(ctx, metav1.ListOptions{LabelSelector: "size=big"})
	must(err, "list by label")
	if len(list.Items) != 1 || list.GetKind() != "SprocketList" {
		fail("list: %d items, kind %q", len(list.Items), list.GetKind())
	}
	must(res.Delete(ctx, "s1", metav1.DeleteOptions{}), "delete custom object")
	seen := map[watch.EventType]bool{}
	timeout := time.After(10 * time.Second)
	for !seen[watch.Deleted] {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				fail("watch closed early; saw %v", seen)
			}
			seen[ev.Type] = true
		case <-timeout:
			fail("watch events: saw %v", seen)
		}
	}
	if !seen[watch.Added] || !seen[watch.Modified] {
		fail("watch events: saw %v", seen)
	}
	if _, err := res.Get(ctx, "s1", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		fail("get after delete: %v", err)
	}
	must(dc.Resource(crdGVR).Delete(ctx, "sprockets."+group, metav1.DeleteOptions{}), "delete CRD")
	err = wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := dc.Resource(crdGVR).Get(ctx, "sprockets."+group, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	must(err, "CRD deleted")
}

// proxyGet: ProxyGet through services/{name}:{port}/proxy and pods/{name}:{port}/proxy reaches the
// pod's emulated server (the case sets up pod "web" answering "hello from web: METHOD URL"); a
// Service without endpoints is ServiceUnavailable, a missing pod NotFound.
func proxyGet(ctx context.Context, config *rest.Config, ns string) {
	cs := clientset(config)
	body, err := cs.CoreV1().Services(ns).ProxyGet("http", "web", "80", "hello", map[string]string{"q": "1"}).DoRaw(ctx)
	must(err, "service ProxyGet")
	if !strings.HasPrefix(string(body), "hello from web: GET /hello?q=1") {
		fail("service ProxyGet: body %q", body)
	}
	body, err = cs.CoreV1().Services(ns).ProxyGet("", "web", "http", "", nil).DoRaw(ctx)
	must(err, "service ProxyGet by port name")
	if !strings.HasPrefix(string(body), "hello from web: GET /") {
		fail("service ProxyGet by port name: body %q", body)
	}
	body, err = cs.CoreV1().Pods(ns).ProxyGet("", "web", "8080", "x", nil).DoRaw(ctx)
	must(err, "pod ProxyGet")
	if !strings.HasPrefix(string(body), "hello from web: GET /x") {
		fail("pod ProxyGet: body %q", body)
	}
	// DoRaw gives client-go's unstructured error for a non-2xx answer (as against any apiserver);
	// the Status itself is read through Do().Error().
	_, err = cs.CoreV1().Services(ns).ProxyGet("", "empty", "80", "", nil).DoRaw(ctx)
	if !apierrors.IsServiceUnavailable(err) {
		fail("ProxyGet of a Service without endpoints: want ServiceUnavailable, got %v", err)
	}
	err = cs.CoreV1().RESTClient().Get().Namespace(ns).Resource("services").Name("empty:80").SubResource("proxy").Do(ctx).Error()
	if !apierrors.IsServiceUnavailable(err) || !strings.Contains(err.Error(), `no endpoints available for service "empty"`) {
		fail("proxy of a Service without endpoints: want the Status \"no endpoints available\", got %v", err)
	}
	_, err = cs.CoreV1().Pods(ns).ProxyGet("", "ghost", "80", "", nil).DoRaw(ctx)
	if !apierrors.IsNotFound(err) {
		fail("ProxyGet of a missing pod: want NotFound, got %v", err)
	}
}

// conversionRead reads the Host h1 (created at v2 by the suite, stored at v1 by a CRD whose conversion
// webhook renames spec.hostname to spec.host) at both versions, and lists it at v2.
func conversionRead(ctx context.Context, config *rest.Config, ns string) {
	dc, err := dynamic.NewForConfig(config)
	must(err, "dynamic client")
	group := ns + ".conv.skiff.test"
	v1 := dc.Resource(schema.GroupVersionResource{Group: group, Version: "v1", Resource: "hosts"}).Namespace(ns)
	v2 := dc.Resource(schema.GroupVersionResource{Group: group, Version: "v2", Resource: "hosts"}).Namespace(ns)
	got1, err := v1.Get(ctx, "h1", metav1.GetOptions{})
	must(err, "get at v1")
	if h, _, _ := unstructured.NestedString(got1.Object, "spec", "host"); h != "alpha" || got1.GetAPIVersion() != group+"/v1" {
		fail("at v1: apiVersion %q spec %v", got1.GetAPIVersion(), got1.Object["spec"])
	}
	got2, err := v2.Get(ctx, "h1", metav1.GetOptions{})
	must(err, "get at v2")
	if h, _, _ := unstructured.NestedString(got2.Object, "spec", "hostname"); h != "alpha" || got2.GetAPIVersion() != group+"/v2" {
		fail("at v2: apiVersion %q spec %v", got2.GetAPIVersion(), got2.Object["spec"])
	}
	list, err := v2.List(ctx, metav1.ListOptions{})
	must(err, "list at v2")
	if len(list.Items) != 1 || list.Items[0].GetAPIVersion() != group+"/v2" {
		fail("list at v2: %d items", len(list.Items))
	}
	if h, _, _ := unstructured.NestedString(list.Items[0].Object, "spec", "hostname"); h != "alpha" {
		fail("listed at v2: spec %v", list.Items[0].Object["spec"])
	}
}

// impersonation: the admin's client with rest.ImpersonationConfig acts as another user: refused
// with upstream's Forbidden until a RoleBinding grants it, and SelfSubjectReview reports the
// impersonated user, groups and extra.
func impersonation(ctx context.Context, config *rest.Config, ns string) {
	admin := clientset(config)
	ensureNamespace(ctx, admin, ns)
	as := rest.CopyConfig(config)
	as.Impersonate = rest.ImpersonationConfig{UserName: "cg-impersonated", Groups: []string{"cg-team"}, Extra: map[string][]string{"scopes": {"a", "b"}}}
	user := clientset(as)
	_, err := user.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
	want := fmt.Sprintf(`configmaps is forbidden: User "cg-impersonated" cannot list resource "configmaps" in API group "" in the namespace "%s"`, ns)
	if !apierrors.IsForbidden(err) || err.Error() != want {
		fail("list as the impersonated user before any binding: want Forbidden %q, got %v", want, err)
	}
	_, err = admin.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "cg-team-view"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "view"},
		Subjects:   []rbacv1.Subject{{Kind: "Group", APIGroup: "rbac.authorization.k8s.io", Name: "cg-team"}},
	}, metav1.CreateOptions{})
	must(err, "create rolebinding")
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := user.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
		return err == nil, nil
	})
	must(err, "list once the group is bound to view")
	review, err := user.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	must(err, "SelfSubjectReview as the impersonated user")
	info := review.Status.UserInfo
	if info.Username != "cg-impersonated" || len(info.Groups) != 2 || info.Groups[0] != "cg-team" || info.Groups[1] != "system:authenticated" || len(info.Extra["scopes"]) != 2 {
		fail("SelfSubjectReview: %+v", info)
	}
	_, err = user.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "no"}}, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) {
		fail("create with view: want Forbidden, got %v", err)
	}
}

// clientCert: a kubeconfig with a client certificate (CN=cg-cert, O=cg-group) authenticates as that
// user; without a binding it may create SelfSubjectReviews (system:basic-user) but not list pods.
func clientCert(ctx context.Context, config *rest.Config, ns string) {
	cs := clientset(config)
	review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	must(err, "SelfSubjectReview with the client certificate")
	if review.Status.UserInfo.Username != "cg-cert" || len(review.Status.UserInfo.Groups) == 0 || review.Status.UserInfo.Groups[0] != "cg-group" {
		fail("SelfSubjectReview: %+v", review.Status.UserInfo)
	}
	_, err = cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	want := fmt.Sprintf(`pods is forbidden: User "cg-cert" cannot list resource "pods" in API group "" in the namespace "%s"`, ns)
	if !apierrors.IsForbidden(err) || err.Error() != want {
		fail("list pods: want Forbidden %q, got %v", want, err)
	}
}
