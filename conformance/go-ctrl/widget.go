package main

import (
	"context"
	"fmt"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Widget is the custom kind this program installs and reconciles. Its group is chosen at run
// time (one per scenario namespace), so scenarios running side by side never share a CRD.
type Widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              WidgetSpec   `json:"spec,omitempty"`
	Status            WidgetStatus `json:"status,omitempty"`
}

type WidgetSpec struct {
	Color string `json:"color,omitempty"`
	Size  int64  `json:"size,omitempty"`
}

type WidgetStatus struct {
	Ready              bool               `json:"ready,omitempty"`
	ObservedGeneration int64              `json:"observedGeneration,omitempty"`
	ConfigMap          string             `json:"configMap,omitempty"`
	Conditions         []metav1.Condition `json:"conditions,omitempty"`
}

type WidgetList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Widget `json:"items"`
}

func (in *Widget) DeepCopyInto(out *Widget) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Status = *in.Status.DeepCopy()
}

func (in *WidgetStatus) DeepCopy() *WidgetStatus {
	out := *in
	if in.Conditions != nil {
		out.Conditions = make([]metav1.Condition, len(in.Conditions))
		for i := range in.Conditions {
			in.Conditions[i].DeepCopyInto(&out.Conditions[i])
		}
	}
	return &out
}

func (in *Widget) DeepCopy() *Widget {
	if in == nil {
		return nil
	}
	out := new(Widget)
	in.DeepCopyInto(out)
	return out
}

func (in *Widget) DeepCopyObject() runtime.Object { return in.DeepCopy() }

func (in *WidgetList) DeepCopyObject() runtime.Object {
	if in == nil {
		return nil
	}
	out := new(WidgetList)
	out.TypeMeta = in.TypeMeta
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	if in.Items != nil {
		out.Items = make([]Widget, len(in.Items))
		for i := range in.Items {
			in.Items[i].DeepCopyInto(&out.Items[i])
		}
	}
	return out
}

const widgetFinalizer = "conformance.skiff.dev/cleanup"

// widgetGroup is the API group of the Widget CRD for one scenario namespace.
func widgetGroup(ns string) string { return ns + ".conformance.skiff.dev" }

func widgetGV(ns string) schema.GroupVersion {
	return schema.GroupVersion{Group: widgetGroup(ns), Version: "v1"}
}

func crdName(ns string) string { return "widgets." + widgetGroup(ns) }

// newScheme: the built-in kinds, CRDs, and Widget in the scenario's group.
func newScheme(ns string) *runtime.Scheme {
	s := runtime.NewScheme()
	must(clientgoscheme.AddToScheme(s), "add client-go scheme")
	must(apiextensionsv1.AddToScheme(s), "add apiextensions scheme")
	gv := widgetGV(ns)
	s.AddKnownTypes(gv, &Widget{}, &WidgetList{})
	metav1.AddToGroupVersion(s, gv)
	return s
}

func widgetCRD(ns string) *apiextensionsv1.CustomResourceDefinition {
	str := func(desc string) apiextensionsv1.JSONSchemaProps {
		return apiextensionsv1.JSONSchemaProps{Type: "string", Description: desc}
	}
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: crdName(ns)},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: widgetGroup(ns),
			Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{
				Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList",
				ShortNames: []string{"wdg"}, Categories: []string{"all"},
			},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Subresources: &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
				AdditionalPrinterColumns: []apiextensionsv1.CustomResourceColumnDefinition{
					{Name: "Color", Type: "string", JSONPath: ".spec.color"},
					{Name: "Size", Type: "integer", JSONPath: ".spec.size"},
					{Name: "Ready", Type: "boolean", JSONPath: ".status.ready"},
					{Name: "Age", Type: "date", JSONPath: ".metadata.creationTimestamp"},
				},
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object",
					Properties: map[string]apiextensionsv1.JSONSchemaProps{
						"spec": {Type: "object", Required: []string{"color"}, Properties: map[string]apiextensionsv1.JSONSchemaProps{
							"color": str("Colour of the widget; copied into the owned ConfigMap."),
							"size":  {Type: "integer", Format: "int64", Minimum: ptrFloat(0)},
						}},
						"status": {Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
							"ready":              {Type: "boolean"},
							"observedGeneration": {Type: "integer", Format: "int64"},
							"configMap":          str("Name of the owned ConfigMap."),
							"conditions": {Type: "array", XListType: ptrString("map"), XListMapKeys: []string{"type"}, Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &apiextensionsv1.JSONSchemaProps{
								Type: "object", Required: []string{"type", "status", "lastTransitionTime", "reason", "message"},
								Properties: map[string]apiextensionsv1.JSONSchemaProps{
									"type": {Type: "string"}, "status": {Type: "string", Enum: []apiextensionsv1.JSON{{Raw: []byte(`"True"`)}, {Raw: []byte(`"False"`)}, {Raw: []byte(`"Unknown"`)}}},
									"observedGeneration": {Type: "integer", Format: "int64"},
									"lastTransitionTime": {Type: "string", Format: "date-time"},
									"reason":             {Type: "string"}, "message": {Type: "string"},
								},
							}}},
						}},
					},
				}},
			}},
		},
	}
}

func ptrFloat(f float64) *float64 { return &f }
func ptrString(s string) *string  { return &s }

// installCRD creates the Widget CRD through the API (an existing one is kept) and waits until it
// is Established, returning it as last read.
func installCRD(ctx context.Context, c client.Client, ns string) *apiextensionsv1.CustomResourceDefinition {
	err := c.Create(ctx, widgetCRD(ns))
	if err != nil && !apierrors.IsAlreadyExists(err) {
		fail("create CRD %s: %v", crdName(ns), err)
	}
	got := &apiextensionsv1.CustomResourceDefinition{}
	waitFor(ctx, 20*time.Second, "CRD "+crdName(ns)+" Established", func() (bool, string) {
		if err := c.Get(ctx, client.ObjectKey{Name: crdName(ns)}, got); err != nil {
			return false, err.Error()
		}
		for _, cond := range got.Status.Conditions {
			if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
				return true, ""
			}
		}
		return false, fmt.Sprintf("conditions %+v", got.Status.Conditions)
	})
	return got
}

// deleteCRD deletes the CRD and waits until it is gone (its objects deleted with it).
func deleteCRD(ctx context.Context, c client.Client, ns string) {
	crd := &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: crdName(ns)}}
	if err := c.Delete(ctx, crd); err != nil && !apierrors.IsNotFound(err) {
		fail("delete CRD: %v", err)
	}
	waitFor(ctx, 20*time.Second, "CRD "+crdName(ns)+" deleted", func() (bool, string) {
		err := c.Get(ctx, client.ObjectKey{Name: crdName(ns)}, &apiextensionsv1.CustomResourceDefinition{})
		if apierrors.IsNotFound(err) {
			return true, ""
		}
		return false, fmt.Sprintf("get: %v", err)
	})
}
