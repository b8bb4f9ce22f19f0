// An envtest suite, unchanged from what a kubebuilder project would write, run against Skiff's
// stand-ins: KUBEBUILDER_ASSETS=$(skiff envtest-assets DIR) go test ./... . It starts the control plane
// with envtest.Environment{CRDDirectoryPaths}, runs a reconciler for its own CRD, and checks what plain
// envtest cannot: garbage collection of owned objects and namespace deletion (Skiff runs those controllers).
package envtestsuite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

var (
	k8s    client.Client
	ctx    context.Context
	timing = map[string]time.Duration{}
)

func TestMain(m *testing.M) {
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("testdata", "crds")}, ErrorIfCRDPathMissing: true}
	t0 := time.Now()
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "envtest Start: %v\n", err)
		os.Exit(1)
	}
	timing["start"] = time.Since(t0)
	var cancel context.CancelFunc
	ctx, cancel = context.WithCancel(context.Background())
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{Scheme: scheme.Scheme, Metrics: metricsserver.Options{BindAddress: "0"}})
	if err == nil {
		err = Setup(mgr)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "manager: %v\n", err)
		_ = env.Stop()
		os.Exit(1)
	}
	go func() { _ = mgr.Start(ctx) }()
	k8s = mgr.GetClient()
	code := m.Run()
	cancel()
	t1 := time.Now()
	if err := env.Stop(); err != nil {
		fmt.Fprintf(os.Stderr, "envtest Stop: %v\n", err)
		code = 1
	}
	timing["stop"] = time.Since(t1)
	fmt.Printf("ENVTEST-TIMING start=%dms stop=%dms\n", timing["start"].Milliseconds(), timing["stop"].Milliseconds())
	os.Exit(code)
}

func eventually(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ok, err := cond()
		if ok {
			return
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s (last error: %v)", what, last)
}

func namespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "envtest-"}}
	if err := k8s.Create(ctx, ns); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	return ns.Name
}

func createGadget(t *testing.T, ns, name, msg string) *unstructured.Unstructured {
	t.Helper()
	g := newGadget()
	g.SetNamespace(ns)
	g.SetName(name)
	_ = unstructured.SetNestedField(g.Object, msg, "spec", "message")
	if err := k8s.Create(ctx, g); err != nil {
		t.Fatalf("create gadget: %v", err)
	}
	return g
}

func configMapSays(ns, name, msg string) func() (bool, error) {
	return func() (bool, error) {
		cm := &corev1.ConfigMap{}
		if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, cm); err != nil {
			return false, err
		}
		return cm.Data["message"] == msg, fmt.Errorf("message is %q", cm.Data["message"])
	}
}

func timed(t *testing.T) {
	t0 := time.Now()
	t.Cleanup(func() { fmt.Printf("ENVTEST-TIMING test %s %dms\n", t.Name(), time.Since(t0).Milliseconds()) })
}

func TestReconcilerActsOnCustomObject(t *testing.T) {
	timed(t)
	ns := namespace(t)
	g := createGadget(t, ns, "hello", "first")
	eventually(t, "the ConfigMap", configMapSays(ns, "hello-config", "first"))
	eventually(t, "status.observedMessage", func() (bool, error) {
		got := newGadget()
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(g), got); err != nil {
			return false, err
		}
		seen, _, _ := unstructured.NestedString(got.Object, "status", "observedMessage")
		return seen == "first", fmt.Errorf("observedMessage %q", seen)
	})
	// An edit reaches the ConfigMap too.
	eventually(t, "the spec edit", func() (bool, error) {
		got := newGadget()
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(g), got); err != nil {
			return false, err
		}
		_ = unstructured.SetNestedField(got.Object, "second", "spec", "message")
		err := k8s.Update(ctx, got)
		return err == nil, err
	})
	eventually(t, "the updated ConfigMap", configMapSays(ns, "hello-config", "second"))
	// The owner reference names the Gadget as controller.
	cm := &corev1.ConfigMap{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "hello-config"}, cm); err != nil {
		t.Fatal(err)
	}
	if ref := metav1.GetControllerOf(cm); ref == nil || ref.Kind != "Gadget" || ref.Name != "hello" {
		t.Fatalf("ConfigMap controller reference = %+v, want the Gadget", ref)
	}
}

func TestGarbageCollectionOfOwnedObjects(t *testing.T) {
	timed(t)
	ns := namespace(t)
	g := createGadget(t, ns, "doomed", "bye")
	eventually(t, "the ConfigMap", configMapSays(ns, "doomed-config", "bye"))
	if err := k8s.Delete(ctx, g, client.PropagationPolicy(metav1.DeletePropagationBackground)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the garbage collector to delete the ConfigMap", func() (bool, error) {
		err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "doomed-config"}, &corev1.ConfigMap{})
		return apierrors.IsNotFound(err), err
	})
}

func TestNamespaceDeletionEmptiesAndRemovesIt(t *testing.T) {
	timed(t)
	ns := namespace(t)
	createGadget(t, ns, "inside", "x")
	eventually(t, "the ConfigMap", configMapSays(ns, "inside-config", "x"))
	if err := k8s.Delete(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the namespace to be gone", func() (bool, error) {
		err := k8s.Get(ctx, types.NamespacedName{Name: ns}, &corev1.Namespace{})
		return apierrors.IsNotFound(err), err
	})
	list := newGadget()
	list.SetKind("GadgetList")
	items := &unstructured.UnstructuredList{}
	items.SetGroupVersionKind(list.GroupVersionKind())
	if err := k8s.List(ctx, items, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	if len(items.Items) != 0 {
		t.Fatalf("%d gadgets left in the deleted namespace", len(items.Items))
	}
}
