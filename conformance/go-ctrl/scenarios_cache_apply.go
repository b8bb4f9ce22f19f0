package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

func (e *env) lease(name string) *coordinationv1.Lease {
	l := &coordinationv1.Lease{}
	must(e.c.Get(e.ctx, e.key(name), l), "get lease "+name)
	return l
}

const ownerIndex = "widgetOwner"

// cacheScenario: the manager's cache-backed client sees writes of another client through its
// informers (add, update, delete), lists by label and by a field index, serves metadata-only
// reads (PartialObjectMetadata informers) of built-in and custom kinds, and the informers resync
// a settled Widget on the SyncPeriod without any write.
func cacheScenario(e *env) {
	installCRD(e.ctx, e.c, e.ns)
	resync := 1500 * time.Millisecond
	opts := e.managerOptions()
	opts.Cache = cacheOptions(e.ns, &resync)
	r, mgr := e.newController("cache", opts)
	must(mgr.GetFieldIndexer().IndexField(e.ctx, &corev1.ConfigMap{}, ownerIndex, func(o client.Object) []string {
		if ref := metav1.GetControllerOf(o); ref != nil && ref.Kind == "Widget" {
			return []string{ref.Name}
		}
		return nil
	}), "index configmaps by owner")
	stop := startManager(e.ctx, mgr, "cache")
	if !mgr.GetCache().WaitForCacheSync(e.ctx) {
		fail("cache did not sync")
	}
	cached := mgr.GetClient()
	e.newWidget("w1", "red", 1, map[string]string{"tier": "gold"})
	e.newWidget("w2", "blue", 2, map[string]string{"tier": "silver"})
	waitFor(e.ctx, 15*time.Second, "cached client sees w1 and w2", func() (bool, string) {
		e1 := cached.Get(e.ctx, e.key("w1"), &Widget{})
		e2 := cached.Get(e.ctx, e.key("w2"), &Widget{})
		return e1 == nil && e2 == nil, fmt.Sprintf("w1: %v, w2: %v", e1, e2)
	})
	gold := func() []string {
		l := &WidgetList{}
		must(cached.List(e.ctx, l, client.InNamespace(e.ns), client.MatchingLabels{"tier": "gold"}), "cached list by label")
		names := []string{}
		for _, w := range l.Items {
			names = append(names, w.Name)
		}
		slices.Sort(names)
		return names
	}
	if g := gold(); !slices.Equal(g, []string{"w1"}) {
		fail("cached list tier=gold: %v", g)
	}
	e.waitReconciled("w1")
	e.waitReconciled("w2")
	waitFor(e.ctx, 10*time.Second, "field index finds w2-config by owner", func() (bool, string) {
		l := &corev1.ConfigMapList{}
		must(cached.List(e.ctx, l, client.InNamespace(e.ns), client.MatchingFields{ownerIndex: "w2"}), "cached list by field index")
		return len(l.Items) == 1 && l.Items[0].Name == "w2-config", fmt.Sprintf("%d items", len(l.Items))
	})
	step("cached Get, list by label and by field index")

	w2 := &Widget{}
	must(e.c.Get(e.ctx, e.key("w2"), w2), "get w2")
	w2.Labels["tier"] = "gold"
	must(e.c.Update(e.ctx, w2), "relabel w2")
	waitFor(e.ctx, 10*time.Second, "cached list sees w2 relabelled", func() (bool, string) {
		g := gold()
		return slices.Equal(g, []string{"w1", "w2"}), fmt.Sprintf("tier=gold: %v", g)
	})
	step("update seen through the watch")

	pm := &metav1.PartialObjectMetadata{}
	pm.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("ConfigMap"))
	waitFor(e.ctx, 10*time.Second, "metadata-only cached get of w1-config", func() (bool, string) {
		err := cached.Get(e.ctx, e.key("w1-config"), pm)
		return err == nil && len(pm.OwnerReferences) == 1 && pm.OwnerReferences[0].Name == "w1", fmt.Sprintf("err %v refs %+v", err, pm.OwnerReferences)
	})
	pml := &metav1.PartialObjectMetadataList{}
	pml.SetGroupVersionKind(widgetGV(e.ns).WithKind("WidgetList"))
	waitFor(e.ctx, 10*time.Second, "metadata-only cached list of widgets", func() (bool, string) {
		err := cached.List(e.ctx, pml, client.InNamespace(e.ns))
		return err == nil && len(pml.Items) == 2, fmt.Sprintf("err %v items %d", err, len(pml.Items))
	})
	step("metadata-only informers for a built-in and a custom kind")

	// Resync: with nothing written, the settled w1 is reconciled again on the SyncPeriod.
	before := &Widget{}
	must(e.c.Get(e.ctx, e.key("w1"), before), "get w1")
	n0 := r.count(e.key("w1"))
	waitFor(e.ctx, 12*time.Second, "two resyncs of the settled widget w1", func() (bool, string) {
		n := r.count(e.key("w1"))
		return n >= n0+2, fmt.Sprintf("reconciles %d -> %d", n0, n)
	})
	after := &Widget{}
	must(e.c.Get(e.ctx, e.key("w1"), after), "get w1")
	if after.ResourceVersion != before.ResourceVersion {
		fail("w1 changed during the resync wait (resourceVersion %s -> %s): the reconciles were not resyncs", before.ResourceVersion, after.ResourceVersion)
	}
	step("resync: %d reconciles of an unchanged object", r.count(e.key("w1"))-n0)

	e.deleteWidgets("w2")
	waitFor(e.ctx, 10*time.Second, "cached client sees w2 deleted", func() (bool, string) {
		err := cached.Get(e.ctx, e.key("w2"), &Widget{})
		return apierrors.IsNotFound(err), fmt.Sprintf("get: %v", err)
	})
	step("delete seen through the watch")
	e.deleteWidgets("w1")
	stop()
	deleteCRD(e.ctx, e.c, e.ns)
}

// applyScenario: server-side apply through client.Apply with field owners: create, conflict
// between managers (409 naming the field and its owner), ForceOwnership, a field kept by its
// other owner, apply on the status subresource, and a dry run that changes nothing.
func applyScenario(e *env) {
	installCRD(e.ctx, e.c, e.ns)
	gv := widgetGV(e.ns).String()
	obj := func(spec map[string]any, status map[string]any) *unstructured.Unstructured {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": gv, "kind": "Widget",
			"metadata": map[string]any{"name": "w1", "namespace": e.ns}}}
		if spec != nil {
			u.Object["spec"] = spec
		}
		if status != nil {
			u.Object["status"] = status
		}
		return u
	}
	a := obj(map[string]any{"color": "red", "size": int64(1)}, nil)
	must(e.c.Patch(e.ctx, a, client.Apply, client.FieldOwner("skiff-apply-a"), client.ForceOwnership), "apply as a (create)")
	if a.GetUID() == "" || a.GetGeneration() != 1 || !managedBy(a, "skiff-apply-a", "Apply", "") {
		fail("created by apply: uid %q generation %d managedFields %v", a.GetUID(), a.GetGeneration(), a.GetManagedFields())
	}
	step("apply created the widget, managed by skiff-apply-a")

	b := obj(map[string]any{"color": "blue"}, nil)
	err := e.c.Patch(e.ctx, b, client.Apply, client.FieldOwner("skiff-apply-b"))
	if !apierrors.IsConflict(err) || !strings.Contains(err.Error(), ".spec.color") || !strings.Contains(err.Error(), "skiff-apply-a") {
		fail("apply of an owned field by another manager: want 409 naming .spec.color and skiff-apply-a, got %v", err)
	}
	b = obj(map[string]any{"color": "blue"}, nil)
	must(e.c.Patch(e.ctx, b, client.Apply, client.FieldOwner("skiff-apply-b"), client.ForceOwnership), "forced apply as b")
	if c, _, _ := unstructured.NestedString(b.Object, "spec", "color"); c != "blue" || !managedBy(b, "skiff-apply-b", "Apply", "") {
		fail("forced apply: color %q managedFields %v", c, b.GetManagedFields())
	}
	step("conflict answered 409; forced apply took spec.color")

	a = obj(map[string]any{"size": int64(2)}, nil)
	must(e.c.Patch(e.ctx, a, client.Apply, client.FieldOwner("skiff-apply-a")), "apply as a without color")
	c, _, _ := unstructured.NestedString(a.Object, "spec", "color")
	s, _, _ := unstructured.NestedInt64(a.Object, "spec", "size")
	if c != "blue" || s != 2 {
		fail("after a gave up color: color %q size %d (want blue, 2: b still owns color)", c, s)
	}
	step("a field owned by another manager survives a's apply without it")

	st := obj(nil, map[string]any{"ready": true, "configMap": "none"})
	must(e.c.Status().Patch(e.ctx, st, client.Apply, client.FieldOwner("skiff-apply-status"), client.ForceOwnership), "apply status")
	if r, _, _ := unstructured.NestedBool(st.Object, "status", "ready"); !r || st.GetGeneration() != a.GetGeneration() || !managedBy(st, "skiff-apply-status", "Apply", "status") {
		fail("status apply: ready %v generation %d managedFields %v", r, st.GetGeneration(), st.GetManagedFields())
	}
	if c, _, _ := unstructured.NestedString(st.Object, "spec", "color"); c != "blue" {
		fail("status apply changed spec: color %q", c)
	}
	step("apply on the status subresource, recorded with subresource status")

	dry := obj(map[string]any{"size": int64(99)}, nil)
	must(e.c.Patch(e.ctx, dry, client.Apply, client.FieldOwner("skiff-apply-a"), client.DryRunAll), "dry-run apply")
	if s, _, _ := unstructured.NestedInt64(dry.Object, "spec", "size"); s != 99 {
		fail("dry-run apply answer: size %d", s)
	}
	final := &Widget{}
	must(e.c.Get(e.ctx, e.key("w1"), final), "get after dry run")
	if final.Spec.Size != 2 || !final.Status.Ready {
		fail("after dry run: spec %+v status %+v", final.Spec, final.Status)
	}
	step("dry-run apply answered the result and stored nothing")
	must(e.c.Delete(e.ctx, final), "delete widget")
	deleteCRD(e.ctx, e.c, e.ns)
}

func managedBy(u client.Object, manager, op, subresource string) bool {
	for _, m := range u.GetManagedFields() {
		if m.Manager == manager && string(m.Operation) == op && m.Subresource == subresource {
			return true
		}
	}
	return false
}
