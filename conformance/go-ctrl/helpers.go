package main

import (
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// newController builds a manager with the Widget controller (For Widget, Owns ConfigMap).
func (e *env) newController(name string, opts manager.Options) (*WidgetReconciler, manager.Manager) {
	mgr, err := ctrl.NewManager(e.config, opts)
	must(err, "new manager "+name)
	r := newReconciler(mgr.GetClient(), e.scheme, name)
	err = ctrl.NewControllerManagedBy(mgr).For(&Widget{}).Owns(&corev1.ConfigMap{}).Named("widget-" + name).Complete(r)
	must(err, "build controller "+name)
	return r, mgr
}

func (e *env) key(name string) client.ObjectKey { return client.ObjectKey{Namespace: e.ns, Name: name} }

func (e *env) newWidget(name, color string, size int64, labels map[string]string) *Widget {
	w := &Widget{Spec: WidgetSpec{Color: color, Size: size}}
	w.Name, w.Namespace, w.Labels = name, e.ns, labels
	must(e.c.Create(e.ctx, w), "create widget "+name)
	if w.UID == "" || w.Generation != 1 || w.ResourceVersion == "" {
		fail("created widget %s: uid %q generation %d resourceVersion %q", name, w.UID, w.Generation, w.ResourceVersion)
	}
	return w
}

// waitWidget reads the widget with the direct client until cond holds.
func (e *env) waitWidget(name, what string, cond func(*Widget) (bool, string)) *Widget {
	w := &Widget{}
	waitFor(e.ctx, 15*time.Second, "widget "+name+": "+what, func() (bool, string) {
		if err := e.c.Get(e.ctx, e.key(name), w); err != nil {
			return false, err.Error()
		}
		return cond(w)
	})
	return w
}

// waitReconciled: the reconciler's finalizer is on, status is Ready for the current generation.
func (e *env) waitReconciled(name string) *Widget {
	return e.waitWidget(name, "finalizer added and status ready for its generation", func(w *Widget) (bool, string) {
		c := meta.FindStatusCondition(w.Status.Conditions, "Ready")
		ok := slices.Contains(w.Finalizers, widgetFinalizer) && w.Status.Ready && w.Status.ObservedGeneration == w.Generation &&
			c != nil && c.Status == "True" && c.ObservedGeneration == w.Generation
		return ok, fmt.Sprintf("generation %d finalizers %v status %+v", w.Generation, w.Finalizers, w.Status)
	})
}

func (e *env) waitConfigMap(name, what string, cond func(*corev1.ConfigMap) (bool, string)) *corev1.ConfigMap {
	cm := &corev1.ConfigMap{}
	waitFor(e.ctx, 15*time.Second, "configmap "+name+": "+what, func() (bool, string) {
		if err := e.c.Get(e.ctx, e.key(name), cm); err != nil {
			return false, err.Error()
		}
		return cond(cm)
	})
	return cm
}

// waitGone waits until a Get of obj answers NotFound.
func (e *env) waitGone(obj client.Object, what string) {
	waitFor(e.ctx, 15*time.Second, what+" gone", func() (bool, string) {
		err := e.c.Get(e.ctx, e.key(obj.GetName()), obj)
		if apierrors.IsNotFound(err) {
			return true, ""
		}
		return false, fmt.Sprintf("get: err=%v deletionTimestamp=%v finalizers=%v", err, obj.GetDeletionTimestamp(), obj.GetFinalizers())
	})
}

// deleteWidgets deletes widgets while a manager runs (so their finalizer is released) and waits.
func (e *env) deleteWidgets(names ...string) {
	for _, n := range names {
		w := &Widget{}
		w.Name, w.Namespace = n, e.ns
		if err := e.c.Delete(e.ctx, w); err != nil && !apierrors.IsNotFound(err) {
			fail("delete widget %s: %v", n, err)
		}
	}
	for _, n := range names {
		w := &Widget{}
		w.Name = n
		e.waitGone(w, "widget "+n)
	}
}
