package main

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// WidgetReconciler keeps, for every Widget, a ConfigMap it controls (data copied from the spec),
// reports readiness in the status subresource, and holds a finalizer that it removes itself
// when the Widget is deleted. It writes only when something changed, so a settled Widget causes
// no further events (which is what lets the cache scenario count resyncs).
type WidgetReconciler struct {
	client.Client
	Scheme *runtime.Scheme
	// Name tells managers apart in the leader-election scenario.
	Name string
	// Live, when set, reads the Widget from the API server instead of the cache. The finalizer
	// scenario needs it: the in-process garbage collector removes an orphaned ConfigMap's owner
	// reference milliseconds after the Widget's deletion, and the ConfigMap's event can reach the
	// reconciler before the Widget's informer has the deletion; a cached read then sees a live
	// Widget and puts the owner reference back (a race of the client's two watch streams that any
	// controller reading from its cache has, on any cluster).
	Live client.Reader

	total     atomic.Int64
	mu        sync.Mutex
	perObject map[types.NamespacedName]int
	finalized map[types.NamespacedName]bool
	by        map[types.NamespacedName]string
}

func newReconciler(c client.Client, s *runtime.Scheme, name string) *WidgetReconciler {
	return &WidgetReconciler{Client: c, Scheme: s, Name: name,
		perObject: map[types.NamespacedName]int{}, finalized: map[types.NamespacedName]bool{}, by: map[types.NamespacedName]string{}}
}

func (r *WidgetReconciler) count(key types.NamespacedName) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.perObject[key]
}

func (r *WidgetReconciler) wasFinalized(key types.NamespacedName) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.finalized[key]
}

func (r *WidgetReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	r.total.Add(1)
	r.mu.Lock()
	r.perObject[req.NamespacedName]++
	r.by[req.NamespacedName] = r.Name
	r.mu.Unlock()

	w := &Widget{}
	var reader client.Reader = r.Client
	if r.Live != nil {
		reader = r.Live
	}
	if err := reader.Get(ctx, req.NamespacedName, w); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !w.DeletionTimestamp.IsZero() {
		if controllerutil.RemoveFinalizer(w, widgetFinalizer) {
			if err := r.Update(ctx, w); err != nil {
				return ctrl.Result{}, client.IgnoreNotFound(err)
			}
			r.mu.Lock()
			r.finalized[req.NamespacedName] = true
			r.mu.Unlock()
		}
		return ctrl.Result{}, nil
	}
	if controllerutil.AddFinalizer(w, widgetFinalizer) {
		if err := r.Update(ctx, w); err != nil {
			return ctrl.Result{}, err
		}
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: w.Name + "-config", Namespace: w.Namespace}}
	if _, err := controllerutil.CreateOrUpdate(ctx, r.Client, cm, func() error {
		cm.Data = map[string]string{"color": w.Spec.Color, "size": strconv.FormatInt(w.Spec.Size, 10)}
		return controllerutil.SetControllerReference(w, cm, r.Scheme)
	}); err != nil {
		if apierrors.IsAlreadyExists(err) || apierrors.IsConflict(err) {
			return ctrl.Result{Requeue: true}, nil
		}
		return ctrl.Result{}, err
	}
	want := w.Status.DeepCopy()
	want.Ready = true
	want.ObservedGeneration = w.Generation
	want.ConfigMap = cm.Name
	meta.SetStatusCondition(&want.Conditions, metav1.Condition{Type: "Ready", Status: metav1.ConditionTrue, Reason: "ConfigMapReady",
		Message: "ConfigMap " + cm.Name + " holds the spec", ObservedGeneration: w.Generation})
	if !equality.Semantic.DeepEqual(*want, w.Status) {
		w.Status = *want
		if err := r.Status().Update(ctx, w); err != nil {
			if apierrors.IsConflict(err) {
				return ctrl.Result{Requeue: true}, nil
			}
			return ctrl.Result{}, err
		}
	}
	return ctrl.Result{}, nil
}
