package envtestsuite

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// GadgetGVK is the suite's own custom kind (testdata/crds/gadgets.yaml).
var GadgetGVK = schema.GroupVersionKind{Group: "envtest.skiff.dev", Version: "v1", Kind: "Gadget"}

func newGadget() *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(GadgetGVK)
	return u
}

// GadgetReconciler keeps a ConfigMap "<gadget>-config" (owned by the Gadget) holding spec.message,
// and reports the message it acted on in status.observedMessage.
type GadgetReconciler struct{ client.Client }

func (r *GadgetReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	g := newGadget()
	if err := r.Get(ctx, req.NamespacedName, g); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if g.GetDeletionTimestamp() != nil {
		return ctrl.Result{}, nil
	}
	msg, _, _ := unstructured.NestedString(g.Object, "spec", "message")
	cm := &corev1.ConfigMap{}
	cm.Namespace, cm.Name = g.GetNamespace(), g.GetName()+"-config"
	if _, err := controllerutil.CreateOrUpdate(ctx, r.Client, cm, func() error {
		cm.Data = map[string]string{"message": msg}
		return controllerutil.SetControllerReference(g, cm, r.Scheme())
	}); err != nil {
		return ctrl.Result{}, err
	}
	if seen, _, _ := unstructured.NestedString(g.Object, "status", "observedMessage"); seen != msg {
		if err := unstructured.SetNestedField(g.Object, msg, "status", "observedMessage"); err != nil {
			return ctrl.Result{}, err
		}
		if err := r.Status().Update(ctx, g); err != nil && !apierrors.IsConflict(err) {
			return ctrl.Result{}, err
		}
	}
	return ctrl.Result{}, nil
}

// Setup registers the reconciler with a manager.
func Setup(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).For(newGadget()).Owns(&corev1.ConfigMap{}).Complete(&GadgetReconciler{Client: mgr.GetClient()})
}
