package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// crdInstall: the CRD is created through the API and becomes Established with its accepted names;
// controller-runtime's dynamic RESTMapper finds the kind through discovery; typed Widgets are
// created, read and listed; a Table request shows the printer columns; deleting the CRD deletes
// its objects.
func crdInstall(e *env) {
	crd := installCRD(e.ctx, e.c, e.ns)
	an := crd.Status.AcceptedNames
	if an.Kind != "Widget" || an.Plural != "widgets" || an.ListKind != "WidgetList" || !slices.Equal(an.ShortNames, []string{"wdg"}) {
		fail("acceptedNames: %+v", an)
	}
	names := false
	for _, c := range crd.Status.Conditions {
		names = names || (c.Type == apiextensionsv1.NamesAccepted && c.Status == apiextensionsv1.ConditionTrue)
	}
	if !names || !slices.Equal(crd.Status.StoredVersions, []string{"v1"}) {
		fail("CRD status: conditions %+v storedVersions %v", crd.Status.Conditions, crd.Status.StoredVersions)
	}
	step("CRD %s Established, names accepted", crd.Name)

	hc, err := rest.HTTPClientFor(e.config)
	must(err, "http client")
	mapper, err := apiutil.NewDynamicRESTMapper(e.config, hc)
	must(err, "RESTMapper")
	gk := schema.GroupKind{Group: widgetGroup(e.ns), Kind: "Widget"}
	m, err := mapper.RESTMapping(gk, "v1")
	must(err, "RESTMapping for Widget")
	if m.Resource.Resource != "widgets" || m.Scope.Name() != meta.RESTScopeNameNamespace {
		fail("RESTMapping: resource %v scope %s", m.Resource, m.Scope.Name())
	}
	step("RESTMapper: %s -> %s, namespaced", gk, m.Resource)

	w := e.newWidget("w1", "blue", 3, map[string]string{"tier": "gold"})
	e.newWidget("w2", "red", 1, map[string]string{"tier": "silver"})
	got := &Widget{}
	must(e.c.Get(e.ctx, e.key("w1"), got), "get widget")
	if got.Spec != w.Spec || got.UID != w.UID || got.APIVersion != widgetGV(e.ns).String() && got.APIVersion != "" {
		fail("get widget: %+v", got)
	}
	list := &WidgetList{}
	must(e.c.List(e.ctx, list, client.InNamespace(e.ns), client.MatchingLabels{"tier": "gold"}), "list widgets by label")
	if len(list.Items) != 1 || list.Items[0].Name != "w1" {
		fail("list by label tier=gold: %d items", len(list.Items))
	}
	step("typed Widgets created, read and listed by label")

	table := e.table(hc, fmt.Sprintf("/apis/%s/v1/namespaces/%s/widgets?labelSelector=tier%%3Dgold", widgetGroup(e.ns), e.ns))
	cols := []string{}
	for _, c := range table.ColumnDefinitions {
		cols = append(cols, c.Name)
	}
	if !slices.Equal(cols, []string{"Name", "Color", "Size", "Ready", "Age"}) {
		fail("table columns: %v", cols)
	}
	if len(table.Rows) != 1 || len(table.Rows[0].Cells) != 5 || table.Rows[0].Cells[0] != "w1" || table.Rows[0].Cells[1] != "blue" || table.Rows[0].Cells[2] != float64(3) {
		fail("table rows: %+v", table.Rows)
	}
	step("Table has the printer columns %v", cols)

	deleteCRD(e.ctx, e.c, e.ns)
	err = e.c.Get(e.ctx, e.key("w1"), &Widget{})
	if !apierrors.IsNotFound(err) && !meta.IsNoMatchError(err) {
		fail("get widget after its CRD was deleted: want NotFound, got %v", err)
	}
	step("deleting the CRD removed it and its objects")
}

// table GETs path as a server-side Table, as kubectl get does.
func (e *env) table(hc *http.Client, path string) *metav1.Table {
	req, err := http.NewRequestWithContext(e.ctx, http.MethodGet, strings.TrimSuffix(e.config.Host, "/")+path, nil)
	must(err, "table request")
	req.Header.Set("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
	resp, err := hc.Do(req)
	must(err, "GET "+path)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		fail("GET %s as Table: %d %s", path, resp.StatusCode, body)
	}
	t := &metav1.Table{}
	must(json.Unmarshal(body, t), "decode Table")
	if t.Kind != "Table" {
		fail("GET %s as Table answered kind %q", path, t.Kind)
	}
	return t
}

// reconcileOwned: the reconciler creates a ConfigMap controlled by the Widget, reports status
// through the status subresource, follows spec changes, and re-creates the ConfigMap when it is
// deleted (the Owns watch).
func reconcileOwned(e *env) {
	installCRD(e.ctx, e.c, e.ns)
	_, mgr := e.newController("reconcile", e.managerOptions())
	stop := startManager(e.ctx, mgr, "reconcile")
	w := e.newWidget("w1", "red", 2, nil)
	cm := e.waitConfigMap("w1-config", "data from the spec", func(cm *corev1.ConfigMap) (bool, string) {
		return cm.Data["color"] == "red" && cm.Data["size"] == "2", fmt.Sprintf("data %v", cm.Data)
	})
	refs := cm.OwnerReferences
	if len(refs) != 1 || refs[0].APIVersion != widgetGV(e.ns).String() || refs[0].Kind != "Widget" || refs[0].Name != "w1" || refs[0].UID != w.UID ||
		refs[0].Controller == nil || !*refs[0].Controller || refs[0].BlockOwnerDeletion == nil || !*refs[0].BlockOwnerDeletion {
		fail("ownerReferences of w1-config: %+v (widget uid %s)", refs, w.UID)
	}
	step("owned ConfigMap created with a controller reference")
	w = e.waitReconciled("w1")
	if w.Generation != 1 || w.Status.ConfigMap != "w1-config" {
		fail("after status writes: generation %d (status writes must not move it), status.configMap %q", w.Generation, w.Status.ConfigMap)
	}
	step("status.ready set through the status subresource; generation still 1")

	w.Spec.Color = "green"
	must(e.c.Update(e.ctx, w), "update widget spec")
	if w.Generation != 2 {
		fail("generation after a spec update: %d", w.Generation)
	}
	e.waitConfigMap("w1-config", "color follows the spec", func(cm *corev1.ConfigMap) (bool, string) {
		return cm.Data["color"] == "green", fmt.Sprintf("data %v", cm.Data)
	})
	w = e.waitReconciled("w1")
	step("spec change reconciled (observedGeneration %d)", w.Status.ObservedGeneration)

	// A write of the main resource cannot change status when the status subresource is on.
	w.Status.Ready = false
	w.Spec.Size = 5
	must(e.c.Update(e.ctx, w), "update widget with a changed status")
	if !w.Status.Ready {
		fail("an update of the main resource changed status.ready (the status subresource must keep it)")
	}
	e.waitConfigMap("w1-config", "size follows the spec", func(cm *corev1.ConfigMap) (bool, string) {
		return cm.Data["size"] == "5", fmt.Sprintf("data %v", cm.Data)
	})
	step("main-resource update kept status")

	old := cm.UID
	must(e.c.Delete(e.ctx, cm), "delete owned configmap")
	e.waitConfigMap("w1-config", "re-created by the controller", func(cm *corev1.ConfigMap) (bool, string) {
		return cm.UID != old && len(cm.OwnerReferences) == 1, fmt.Sprintf("uid %s", cm.UID)
	})
	step("deleted ConfigMap re-created through the Owns watch")
	e.deleteWidgets("w1")
	stop()
	deleteCRD(e.ctx, e.c, e.ns)
}

// finalizerAndGC: deleting a Widget lets the reconciler remove its finalizer; the garbage
// collector then deletes the owned ConfigMap (background), deletes it first (foreground), or
// orphans it; deleting the CRD while a Widget holds a finalizer completes once it is released.
func finalizerAndGC(e *env) {
	installCRD(e.ctx, e.c, e.ns)
	r, mgr := e.newController("finalizer", e.managerOptions())
	r.Live = mgr.GetAPIReader()
	stop := startManager(e.ctx, mgr, "finalizer")
	for _, n := range []string{"bg", "fg", "orphan", "last"} {
		e.newWidget(n, "black", 1, nil)
	}
	for _, n := range []string{"bg", "fg", "orphan", "last"} {
		e.waitReconciled(n)
		e.waitConfigMap(n+"-config", "created", func(*corev1.ConfigMap) (bool, string) { return true, "" })
	}
	step("four widgets reconciled, each with finalizer and ConfigMap")

	gone := func(name string) *Widget { w := &Widget{}; w.Name, w.Namespace = name, e.ns; return w }
	cmGone := func(name string) *corev1.ConfigMap {
		c := &corev1.ConfigMap{}
		c.Name, c.Namespace = name, e.ns
		return c
	}

	must(e.c.Delete(e.ctx, gone("bg")), "delete bg")
	e.waitGone(gone("bg"), "widget bg")
	if !r.wasFinalized(e.key("bg")) {
		fail("widget bg disappeared without the reconciler removing its finalizer")
	}
	e.waitGone(cmGone("bg-config"), "configmap bg-config (garbage collected)")
	step("background deletion: finalizer removed, ConfigMap collected")

	must(e.c.Delete(e.ctx, gone("fg"), client.PropagationPolicy(metav1.DeletePropagationForeground)), "delete fg (foreground)")
	e.waitGone(gone("fg"), "widget fg")
	if err := e.c.Get(e.ctx, e.key("fg-config"), &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
		fail("foreground deletion finished while its dependent fg-config still exists (get: %v)", err)
	}
	step("foreground deletion: ConfigMap deleted before the owner")

	must(e.c.Delete(e.ctx, gone("orphan"), client.PropagationPolicy(metav1.DeletePropagationOrphan)), "delete orphan (orphan)")
	e.waitGone(gone("orphan"), "widget orphan")
	e.waitConfigMap("orphan-config", "kept without owner references", func(cm *corev1.ConfigMap) (bool, string) {
		return len(cm.OwnerReferences) == 0, fmt.Sprintf("ownerReferences %+v", cm.OwnerReferences)
	})
	step("orphan deletion: ConfigMap kept, owner reference removed")

	deleteCRD(e.ctx, e.c, e.ns)
	if !r.wasFinalized(e.key("last")) {
		fail("CRD deletion finished without the reconciler releasing widget last")
	}
	e.waitGone(cmGone("last-config"), "configmap last-config (owner deleted with its CRD)")
	step("CRD deletion waited for the finalizer; the last ConfigMap was collected")
	stop()
}

// leaderElection: two managers share a Lease; only the holder reconciles; the holder releases the
// Lease when it stops and the other takes over.
func leaderElection(e *env) {
	installCRD(e.ctx, e.c, e.ns)
	const lockName = "widget-controller-lock"
	opts := e.managerOptions()
	lease, renew, retry := 4*time.Second, 3*time.Second, 500*time.Millisecond
	opts.LeaderElection, opts.LeaderElectionNamespace, opts.LeaderElectionID = true, e.ns, lockName
	opts.LeaderElectionReleaseOnCancel = true
	opts.LeaseDuration, opts.RenewDeadline, opts.RetryPeriod = &lease, &renew, &retry

	ra, mgrA := e.newController("leader-a", opts)
	stopA := startManager(e.ctx, mgrA, "a")
	waitChan(e, mgrA.Elected(), "manager a elected")
	la := e.lease(lockName)
	if la.Spec.HolderIdentity == nil || *la.Spec.HolderIdentity == "" || la.Spec.LeaseDurationSeconds == nil || *la.Spec.LeaseDurationSeconds != 4 ||
		la.Spec.AcquireTime == nil || la.Spec.RenewTime == nil {
		fail("lease after election: %+v", la.Spec)
	}
	holderA := *la.Spec.HolderIdentity
	step("manager a holds Lease %s as %s", lockName, holderA)

	rb, mgrB := e.newController("leader-b", opts)
	stopB := startManager(e.ctx, mgrB, "b")
	// While a renews (renewTime moves on twice), b stays a candidate.
	first := la.Spec.RenewTime.Time
	renewals := 0
	prev := first
	waitFor(e.ctx, 10*time.Second, "two renewals of the Lease by a", func() (bool, string) {
		l := e.lease(lockName)
		if *l.Spec.HolderIdentity != holderA {
			fail("lease taken from a live leader: holder %s", *l.Spec.HolderIdentity)
		}
		if l.Spec.RenewTime.Time.After(prev) {
			renewals++
			prev = l.Spec.RenewTime.Time
		}
		return renewals >= 2, fmt.Sprintf("renewTime %v", l.Spec.RenewTime)
	})
	select {
	case <-mgrB.Elected():
		fail("manager b elected while a holds the lease")
	default:
	}
	e.newWidget("wa", "red", 1, nil)
	e.waitReconciled("wa")
	if ra.count(e.key("wa")) == 0 || rb.count(e.key("wa")) != 0 {
		fail("widget wa reconciled by a %d times, by b %d times (want only a)", ra.count(e.key("wa")), rb.count(e.key("wa")))
	}
	step("only the leader reconciles; Lease renewed")

	stopA()
	waitChan(e, mgrB.Elected(), "manager b elected after a released the lease")
	lb := e.lease(lockName)
	if lb.Spec.HolderIdentity == nil || *lb.Spec.HolderIdentity == holderA || *lb.Spec.HolderIdentity == "" || lb.Spec.LeaseTransitions == nil || *lb.Spec.LeaseTransitions < 1 {
		fail("lease after takeover: %+v", lb.Spec)
	}
	e.newWidget("wb", "blue", 1, nil)
	e.waitReconciled("wb")
	if rb.count(e.key("wb")) == 0 {
		fail("widget wb not reconciled by b")
	}
	step("manager b took the Lease (holder %s, transitions %d) and reconciles", *lb.Spec.HolderIdentity, *lb.Spec.LeaseTransitions)
	e.deleteWidgets("wa", "wb")
	before := releaseFailures.Load()
	stopB()
	// client-go releases with the record it last saw; a renewal cancelled in flight may still have been
	// written, and then the release conflicts and the Lease simply expires. That is not a server fault.
	released := false
	waitFor(e.ctx, 5*time.Second, "lease released by b (LeaderElectionReleaseOnCancel)", func() (bool, string) {
		l := e.lease(lockName)
		released = l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity == ""
		return released || releaseFailures.Load() > before, fmt.Sprintf("holder %v", l.Spec.HolderIdentity)
	})
	if released {
		step("Lease released on stop")
	} else {
		step("release raced an in-flight renewal and conflicted (client-go); the Lease expires instead")
	}
	deleteCRD(e.ctx, e.c, e.ns)
}

func waitChan(e *env, ch <-chan struct{}, what string) {
	select {
	case <-ch:
	case <-time.After(15 * time.Second):
		fail("timed out after 15s waiting for %s", what)
	case <-e.ctx.Done():
		fail("scenario deadline passed waiting for %s", what)
	}
}
