/// The steps whose answers may differ between the embedded plane and kube-apiserver, each with
/// the reason. Reviewed: keep it short, and remove an entry as soon as its step agrees.
///
/// What normalisation already hides (uids, timestamps, resourceVersions, ages, IP addresses,
/// node ports, tokens, table padding) is not listed here.
enum AcceptedDifferences {
    static let reasons: [String: String] = [
        "nd.logs":
            "kube-apiserver asks the node's kubelet (port 10250) for the logs, and the simulated node serves none; the plane answers with one line saying its node runs no containers",
        "sr.kubernetes-service":
            "the kit runs kube-apiserver with --endpoint-reconciler-type=none, so it keeps no EndpointSlice for the kubernetes Service; a cluster's apiserver keeps one as the plane does",
        "ck.api-resources-core":
            "the kit also serves core kinds outside the single-machine issue (bindings, componentstatuses, persistentvolumes, persistentvolumeclaims, podtemplates, replicationcontrollers); the kinds both serve are listed alike",
        "np.api-resources-networking":
            "the kit also serves IPAddresses and ServiceCIDRs (kube's own service-IP allocation objects, outside the single-machine issue); the kinds both serve are listed alike",
        "np.invalid":
            "kube-apiserver wraps two or more causes of a 422 in [...] (apimachinery's aggregate error); the plane gives the same causes in the same order without the brackets (APIError.invalid, shared by every kind)",
        "go.raw-table-object":
            "managedFields entries are ordered by operation, then by the second they were written: two writes of one second (the scale and the client-side apply here) may fall in different seconds on the two servers",
        "go.apply-list-kind":
            "kubectl validates a v1 List against OpenAPI v2 (protobuf), which the plane does not serve (it serves v3); apply the items as documents of one stream, or with --validate=false",
        "pa.type-error":
            "the 422 quotes the patched object with its members in the order the plane keeps them; kube-apiserver quotes Go's struct order (same field, same reason)",
        "wl.statefulset-yaml":
            "the kit's kube-controller-manager runs the StatefulSet controller, which writes status; this session runs the plane without its own controllers (the controllers session compares those)",
        "wa.raw-watch-too-old":
            "history window: the plane keeps its last 10,000 revisions and replays a watch from resourceVersion 1 within them; kube-apiserver's watch cache is smaller and answers 410 Expired (the plane answers the same ERROR event past its window)",
        "pa.json-test-fails":
            "kube-apiserver hides why a JSON patch failed (\"the server rejected our request due to an error in our request\"); the plane says which operation failed and why — same 422 Invalid",
        "pa.json-remove-missing":
            "kube-apiserver hides why a JSON patch failed; the plane names the path that does not exist — same 422 Invalid",
        "pa.json-invalid":
            "kube-apiserver hides why a JSON patch failed; the plane names the unknown operation — same 422 Invalid",
        "sr.scale-patch":
            "a Scale write that changes nothing is not written (kube-apiserver rewrites the object and bumps its resourceVersion, so kubectl says \"patched\" rather than \"(no change)\")",
        "au.can-i-list":
            "the plane authorises by RBAC, so the admin's rules are those RBAC binds to system:masters (cluster-admin: everything) and system:authenticated (discovery, self reviews), as kube-apiserver with --authorization-mode=RBAC lists them; the reference kit runs AlwaysAllow, which lists only everything",
        "dc.version":
            "the server version: the embedded plane reports Mizzen's own version and build, not kube-apiserver's",
        "dc.api-resources-apps":
            "DaemonSets and ReplicaSets are served from the workload-kinds issue (12) on",
        "dc.raw-apps-v1":
            "DaemonSets and ReplicaSets are served from the workload-kinds issue (12) on",
    ]
}
