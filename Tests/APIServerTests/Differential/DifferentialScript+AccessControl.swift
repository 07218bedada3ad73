extension DifferentialScript {
    /// RBAC objects, authorisation of ServiceAccount tokens, and the per-namespace ServiceAccount.
    ///
    /// The reference kit runs with `--authorization-mode=AlwaysAllow`, so only answers that do not
    /// depend on the authorizer are compared here: the objects, their tables, validation, and
    /// `auth can-i` questions RBAC answers "yes" to. Refusals (403s, "no", escalation) and the
    /// bootstrap ClusterRoles (kube creates them only when RBAC is on) were compared with a kit
    /// running `--authorization-mode=Node,RBAC`; `RBACTests` holds those answers.
    static let accessControl: [DifferentialStep] = [
        k(.accessControl, "ac.api-resources", ["api-resources", "--api-group=rbac.authorization.k8s.io", "-o", "wide"]),
        r(.accessControl, "ac.raw-discovery", "GET", "/apis/rbac.authorization.k8s.io/v1"),
        k(.accessControl, "ac.create-role", [
            "create", "role", "ac-reader", "--verb=get,list", "--resource=pods,deployments.apps,configmaps",
            "--resource-name=web", "-n", "{ns}",
        ]),
        k(.accessControl, "ac.create-role-plain", [
            "create", "role", "ac-cm", "--verb=get,list,watch", "--resource=configmaps,pods/log", "-n", "{ns}",
        ]),
        k(.accessControl, "ac.create-clusterrole", [
            "create", "clusterrole", "{ns}-urls", "--verb=get", "--non-resource-url=/logs,/logs/*",
        ]),
        k(.accessControl, "ac.create-rolebinding", [
            "create", "rolebinding", "ac-read", "--role=ac-reader", "--serviceaccount={ns}:gen-sa", "--user=jane",
            "--group=devs", "-n", "{ns}",
        ]),
        k(.accessControl, "ac.create-rolebinding-cm", [
            "create", "rolebinding", "ac-cm", "--role=ac-cm", "--serviceaccount={ns}:gen-sa", "-n", "{ns}",
        ]),
        k(.accessControl, "ac.create-clusterrolebinding", [
            "create", "clusterrolebinding", "{ns}-urls", "--clusterrole={ns}-urls", "--serviceaccount={ns}:gen-sa",
        ]),
        k(.accessControl, "ac.get-role-yaml", ["get", "role", "ac-reader", "-n", "{ns}", "-o", "yaml"]),
        k(.accessControl, "ac.get-roles", ["get", "roles", "-n", "{ns}"]),
        k(.accessControl, "ac.get-rolebindings-wide", ["get", "rolebindings", "-n", "{ns}", "-o", "wide"]),
        k(.accessControl, "ac.get-rolebinding-json", ["get", "rolebinding", "ac-read", "-n", "{ns}", "-o", "json"]),
        k(.accessControl, "ac.get-clusterrole", ["get", "clusterrole", "{ns}-urls", "-o", "wide"]),
        k(.accessControl, "ac.get-clusterrole-yaml", ["get", "clusterrole", "{ns}-urls", "-o", "yaml"]),
        k(.accessControl, "ac.get-clusterrolebinding", ["get", "clusterrolebinding", "{ns}-urls", "-o", "wide"]),
        r(.accessControl, "ac.raw-table", "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings",
          accept: "application/json;as=Table;v=v1;g=meta.k8s.io"),
        k(.accessControl, "ac.describe-role", ["describe", "role", "ac-reader", "-n", "{ns}"]),
        k(.accessControl, "ac.describe-rolebinding", ["describe", "rolebinding", "ac-read", "-n", "{ns}"]),
        k(.accessControl, "ac.describe-clusterrole", ["describe", "clusterrole", "{ns}-urls"]),
        k(.accessControl, "ac.explain-role-rules", ["explain", "role.rules"]),
        k(.accessControl, "ac.explain-subjects", ["explain", "rolebinding.subjects.apiGroup"]),
        k(.accessControl, "ac.invalid-rules", ["create", "-f", "-"], stdin: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: ac-bad, namespace: "{ns}"}
            rules:
            - apiGroups: [""]
              resources: []
            - nonResourceURLs: ["/x"]
              verbs: [get]
              resources: [pods]
            """),
        k(.accessControl, "ac.invalid-binding", ["create", "-f", "-"], stdin: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: "{ns}-bad"}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}
            subjects:
            - {kind: ServiceAccount, name: gen-sa}
            - {kind: User, name: jane, apiGroup: example.com}
            - {kind: Robot, name: r2}
            """),
        k(.accessControl, "ac.invalid-name", ["create", "role", "a%b", "--verb=get", "--resource=pods", "-n", "{ns}"]),
        k(.accessControl, "ac.colon-name", ["create", "role", "ac:colon", "--verb=get", "--resource=pods", "-n", "{ns}"]),
        k(.accessControl, "ac.roleref-immutable", [
            "patch", "rolebinding", "ac-read", "-n", "{ns}", "--type=merge", "-p", #"{"roleRef":{"name":"ac-cm"}}"#,
        ]),
        k(.accessControl, "ac.subject-defaults", ["create", "-f", "-", "-o", "jsonpath={.roleRef} {.subjects}"], stdin: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: ac-defaults, namespace: "{ns}"}
            roleRef: {kind: Role, name: ac-cm}
            subjects:
            - {kind: User, name: jane}
            - {kind: Group, name: devs}
            - {kind: ServiceAccount, name: gen-sa}
            """),
        k(.accessControl, "ac.apply-role", ["apply", "-f", "-"], stdin: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: ac-applied, namespace: "{ns}"}
            rules:
            - {apiGroups: [apps], resources: [deployments, deployments/scale], verbs: [get, update]}
            """),
        k(.accessControl, "ac.apply-role-again", ["apply", "-f", "-"], stdin: """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: ac-applied, namespace: "{ns}"}
            rules:
            - {apiGroups: [apps], resources: [deployments, deployments/scale], verbs: [get, update, patch]}
            """),
        k(.accessControl, "ac.can-i-named", ["auth", "can-i", "get", "pods/web", "-n", "{ns}", "--as=system:serviceaccount:{ns}:gen-sa"]),
        k(.accessControl, "ac.can-i-log", ["auth", "can-i", "get", "pods", "--subresource=log", "-n", "{ns}", "--as=system:serviceaccount:{ns}:gen-sa"]),
        k(.accessControl, "ac.can-i-url", ["auth", "can-i", "get", "/logs/kube.log", "--as=system:serviceaccount:{ns}:gen-sa"]),
        k(.accessControl, "ac.can-i-review", ["auth", "can-i", "create", "selfsubjectaccessreviews", "--as=system:serviceaccount:{ns}:gen-sa"]),
        k(.accessControl, "ac.can-i-discovery", ["auth", "can-i", "get", "/apis", "--as=system:serviceaccount:{ns}:gen-sa"]),
        k(.accessControl, "ac.token-whoami", ["--token={token}", "auth", "whoami"]),
        k(.accessControl, "ac.token-get", ["--token={token}", "get", "configmaps", "-n", "{ns}", "-l", "set=list", "-o", "name"]),
        k(.accessControl, "ac.delete-rolebinding", ["delete", "rolebinding", "ac-defaults", "-n", "{ns}"]),
        k(.accessControl, "ac.delete-clusterrolebinding", ["delete", "clusterrolebinding", "{ns}-urls"]),
        k(.accessControl, "ac.delete-clusterrole", ["delete", "clusterrole", "{ns}-urls"]),
    ]
}
