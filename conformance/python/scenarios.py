"""Official Python client (kubernetes from PyPI) scenarios against a Skiff server.

Usage: python scenarios.py <kubeconfig> <scenario> <namespace>
Exits 0 on success; prints FAIL: <reason> on stderr and exits 1 otherwise.
"""
import json
import os
import sys
import tempfile
import threading

from kubernetes import client, config, utils, watch
from kubernetes.client.rest import ApiException


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def expect_status(fn, code, what):
    try:
        fn()
    except ApiException as e:
        if e.status != code:
            fail(f"{what}: want HTTP {code}, got {e.status}: {e.body[:200] if e.body else ''}")
        return
    fail(f"{what}: want HTTP {code}, but the call succeeded")


def crud(api_client, ns):
    v1 = client.CoreV1Api(api_client)
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py", labels={"suite": "python"}), data={"k": "v1"})
    created = v1.create_namespaced_config_map(ns, body)
    if not created.metadata.uid or not created.metadata.resource_version or created.metadata.creation_timestamp is None:
        fail("created object lacks uid/resourceVersion/creationTimestamp")
    expect_status(lambda: v1.create_namespaced_config_map(ns, body), 409, "duplicate create")
    got = v1.read_namespaced_config_map("py", ns)
    if got.data != {"k": "v1"}:
        fail(f"read: {got.data}")
    got.data["k"] = "v2"
    upd = v1.replace_namespaced_config_map("py", ns, got)
    if upd.metadata.resource_version == got.metadata.resource_version:
        fail("replace did not change resourceVersion")
    expect_status(lambda: v1.replace_namespaced_config_map("py", ns, got), 409, "replace with stale resourceVersion")
    lst = v1.list_namespaced_config_map(ns, label_selector="suite=python")
    if [i.metadata.name for i in lst.items] != ["py"]:
        fail(f"list by label: {[i.metadata.name for i in lst.items]}")
    # Secrets round-trip base64 data.
    v1.create_namespaced_secret(ns, client.V1Secret(metadata=client.V1ObjectMeta(name="pys"), data={"pw": "eA=="}))
    sec = v1.read_namespaced_secret("pys", ns)
    if sec.data != {"pw": "eA=="}:
        fail(f"secret data: {sec.data}")
    v1.delete_namespaced_config_map("py", ns)
    expect_status(lambda: v1.read_namespaced_config_map("py", ns), 404, "read after delete")
    apps = client.AppsV1Api(api_client)
    dep = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="pyd"),
        spec=client.V1DeploymentSpec(
            replicas=2,
            selector=client.V1LabelSelector(match_labels={"app": "pyd"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "pyd"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx:1.27")]),
            ),
        ),
    )
    d = apps.create_namespaced_deployment(ns, dep)
    if d.spec.replicas != 2 or d.metadata.generation != 1:
        fail(f"deployment create: replicas={d.spec.replicas} generation={d.metadata.generation}")


def watch_events(api_client, ns):
    v1 = client.CoreV1Api(api_client)
    rv = v1.list_namespaced_config_map(ns).metadata.resource_version
    w = watch.Watch()
    seen = []
    errors = []

    def writer():
        try:
            v1.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="pw"), data={"a": "1"}))
            o = v1.read_namespaced_config_map("pw", ns)
            o.data = {"a": "2"}
            v1.replace_namespaced_config_map("pw", ns, o)
            v1.delete_namespaced_config_map("pw", ns)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    # Changes made after rv are delivered even if written before the stream opens, so no handshake is needed.
    t = threading.Thread(target=writer)
    t.start()
    # timeout_seconds bounds the test if events never arrive; the loop stops as soon as all three are seen.
    for ev in w.stream(v1.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=20):
        obj = ev["object"]
        seen.append((ev["type"], obj.metadata.name))
        if [s for s in seen if s[1] == "pw"] == [("ADDED", "pw"), ("MODIFIED", "pw"), ("DELETED", "pw")]:
            w.stop()
            break
    t.join(timeout=10)
    if errors:
        fail(f"writer failed: {errors[0]}")
    got = [s for s in seen if s[1] == "pw"]
    if got != [("ADDED", "pw"), ("MODIFIED", "pw"), ("DELETED", "pw")]:
        fail(f"watch events: {seen}")


def watch_events_started(api_client, ns):
    """Start the writer only once the watch stream is open (first event: the pre-existing object)."""
    v1 = client.CoreV1Api(api_client)
    v1.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="first")))
    w = watch.Watch()
    seen = []
    errors = []
    t = None

    def writer():
        try:
            v1.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="pw"), data={"a": "1"}))
            o = v1.read_namespaced_config_map("pw", ns)
            o.data = {"a": "2"}
            v1.replace_namespaced_config_map("pw", ns, o)
            v1.delete_namespaced_config_map("pw", ns)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    want = [("ADDED", "pw"), ("MODIFIED", "pw"), ("DELETED", "pw")]
    # No resource_version: the watch starts with ADDED for existing objects, so "first" tells us it is live.
    for ev in w.stream(v1.list_namespaced_config_map, ns, timeout_seconds=20):
        name = ev["object"].metadata.name
        seen.append((ev["type"], name))
        if name == "first" and t is None:
            t = threading.Thread(target=writer)
            t.start()
        if [s for s in seen if s[1] == "pw"] == want:
            w.stop()
            break
    if t is not None:
        t.join(timeout=10)
    if errors:
        fail(f"writer failed: {errors[0]}")
    if [s for s in seen if s[1] == "pw"] != want:
        fail(f"watch events: {seen}")


def create_from_yaml(api_client, ns):
    text = f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: fy-cm
data:
  a: "1"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: fy-deploy
  labels: {{app: fy}}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: fy}}
  template:
    metadata:
      labels: {{app: fy}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: fy-svc
spec:
  selector: {{app: fy}}
  ports:
  - port: 80
"""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        created = utils.create_from_yaml(api_client, path, namespace=ns)
    finally:
        os.unlink(path)
    kinds = sorted(o.kind for group in created for o in (group if isinstance(group, list) else [group]))
    if kinds != ["ConfigMap", "Deployment", "Service"]:
        fail(f"created kinds: {kinds}")
    svc = client.CoreV1Api(api_client).read_namespaced_service("fy-svc", ns)
    if svc.spec.ports[0].port != 80:
        fail(f"service ports: {svc.spec.ports}")
    # A second create_from_yaml reports the conflict as FailToCreateError.
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(text)
            path = f.name
        utils.create_from_yaml(api_client, path, namespace=ns)
        fail("second create_from_yaml must fail")
    except utils.FailToCreateError as e:
        codes = sorted(x.status for x in e.api_exceptions)
        if codes != [409, 409, 409]:
            fail(f"conflict codes: {codes}")
    finally:
        os.unlink(path)


def patch(api_client, ns):
    v1 = client.CoreV1Api(api_client)
    v1.create_namespaced_config_map(ns, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="pp"), data={"a": "1"}))
    # The Python client sends a dict body as strategic merge patch for built-in kinds.
    p = v1.patch_namespaced_config_map("pp", ns, {"data": {"b": "2"}, "metadata": {"labels": {"x": "y"}}})
    if p.data != {"a": "1", "b": "2"} or p.metadata.labels != {"x": "y"}:
        fail(f"patch: data={p.data} labels={p.metadata.labels}")
    j = v1.patch_namespaced_config_map("pp", ns, [{"op": "remove", "path": "/data/a"}])
    if j.data != {"b": "2"}:
        fail(f"json patch: {j.data}")


def custom_objects(api_client, ns):
    """CustomObjectsApi on a CRD of our own: create the CRD, wait for Established, then CRUD, patch,
    status, list by label, delete, and delete the CRD."""
    import time
    ext = client.ApiextensionsV1Api(api_client)
    co = client.CustomObjectsApi(api_client)
    group = f"{ns}.skiff.test"
    ext.create_custom_resource_definition({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"doodads.{group}"},
        "spec": {
            "group": group, "scope": "Namespaced",
            "names": {"plural": "doodads", "singular": "doodad", "kind": "Doodad"},
            "versions": [{
                "name": "v1", "served": True, "storage": True, "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                    "status": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
                }}},
            }],
        },
    })
    for _ in range(1000):
        crd = ext.read_custom_resource_definition(f"doodads.{group}")
        if any(c.type == "Established" and c.status == "True" for c in (crd.status.conditions or [])):
            break
        time.sleep(0.02)
    else:
        fail("CRD never Established")
    args = (group, "v1", ns, "doodads")
    created = co.create_namespaced_custom_object(*args, {"apiVersion": f"{group}/v1", "kind": "Doodad", "metadata": {"name": "d1", "labels": {"k": "v"}}, "spec": {"size": 1}})
    if not created["metadata"].get("uid") or created["metadata"].get("generation") != 1:
        fail(f"create: {created['metadata']}")
    got = co.get_namespaced_custom_object(*args, "d1")
    got["spec"]["size"] = 2
    rep = co.replace_namespaced_custom_object(*args, "d1", got)
    if rep["spec"]["size"] != 2 or rep["metadata"]["generation"] != 2:
        fail(f"replace: {rep['spec']} generation {rep['metadata'].get('generation')}")
    pat = co.patch_namespaced_custom_object(*args, "d1", {"spec": {"size": 3}})
    if pat["spec"]["size"] != 3:
        fail(f"patch: {pat['spec']}")
    st = co.patch_namespaced_custom_object_status(*args, "d1", {"status": {"ok": True}})
    if st.get("status") != {"ok": True}:
        fail(f"status patch: {st.get('status')}")
    lst = co.list_namespaced_custom_object(*args, label_selector="k=v")
    if [i["metadata"]["name"] for i in lst["items"]] != ["d1"] or lst["kind"] != "DoodadList":
        fail(f"list: {lst['kind']} {[i['metadata']['name'] for i in lst['items']]}")
    co.delete_namespaced_custom_object(*args, "d1")
    expect_status(lambda: co.get_namespaced_custom_object(*args, "d1"), 404, "get after delete")
    ext.delete_custom_resource_definition(f"doodads.{group}")
    for _ in range(1000):
        try:
            ext.read_custom_resource_definition(f"doodads.{group}")
        except ApiException as e:
            if e.status == 404:
                return
            raise
        time.sleep(0.02)
    fail("CRD not deleted")


def service_account_token(api_client, ns):
    """A token from TokenRequest, used by a client of its own: RBAC applies to the account."""
    v1 = client.CoreV1Api(api_client)
    v1.create_namespaced_service_account(ns, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="py-sa")))
    client.RbacAuthorizationV1Api(api_client).create_namespaced_role_binding(ns, client.V1RoleBinding(
        metadata=client.V1ObjectMeta(name="py-sa-view"),
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="ClusterRole", name="view"),
        subjects=[client.RbacV1Subject(kind="ServiceAccount", name="py-sa", namespace=ns)]))
    tr = v1.create_namespaced_service_account_token("py-sa", ns, client.AuthenticationV1TokenRequest(spec=client.V1TokenRequestSpec(audiences=[])))
    cfg = client.Configuration()
    admin_cfg = api_client.configuration
    cfg.host = admin_cfg.host
    cfg.ssl_ca_cert = admin_cfg.ssl_ca_cert
    cfg.verify_ssl = admin_cfg.verify_ssl
    cfg.api_key = {"authorization": "Bearer " + tr.status.token}
    sa = client.CoreV1Api(client.ApiClient(cfg))
    sa.list_namespaced_pod(ns)
    try:
        sa.list_namespaced_secret(ns)
        fail("listing secrets with view: want 403, but the call succeeded")
    except ApiException as e:
        want = f'secrets is forbidden: User "system:serviceaccount:{ns}:py-sa" cannot list resource "secrets" in API group "" in the namespace "{ns}"'
        if e.status != 403 or json.loads(e.body or "{}").get("message") != want:
            fail(f"listing secrets with view: want 403 {want!r}, got {e.status}: {(e.body or '')[:300]}")


SCENARIOS = {
    "sa-token": service_account_token,
    "custom-objects": custom_objects,
    "crud": crud,
    "watch": watch_events_started,
    "watch-rv": watch_events,
    "create-from-yaml": create_from_yaml,
    "patch": patch,
}


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in SCENARIOS:
        print(f"usage: scenarios.py <kubeconfig> <{'|'.join(SCENARIOS)}> <namespace>", file=sys.stderr)
        sys.exit(2)
    kubeconfig, scenario, ns = sys.argv[1:]
    api_client = config.new_client_from_config(config_file=kubeconfig)
    try:
        SCENARIOS[scenario](api_client, ns)
    except ApiException as e:
        fail(f"unexpected API error {e.status} {e.reason}: {(e.body or '')[:300]}")
    print("ok", scenario)


if __name__ == "__main__":
    main()
