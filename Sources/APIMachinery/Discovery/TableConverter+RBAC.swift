import OrderedCollections
import Resources

/// The Table columns of the RBAC kinds, as kube-apiserver prints them: Roles and ClusterRoles
/// have NAME and CREATED AT; bindings NAME, ROLE (`Kind/name`), AGE, and with `-o wide` the
/// USERS, GROUPS and SERVICEACCOUNTS they bind (a ServiceAccount as `namespace/name`).
extension TableConverter {
    static let createdAtColumn = Column(
        name: "Created At", type: "date", description: ageDescription,
        field: ("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp")
    ) { object, _ in
        .string(object.creationTimestamp ?? "")
    }

    /// The columns of a RoleBinding (`kind` "roleBinding") or ClusterRoleBinding ("clusterRoleBinding").
    static func bindingColumns(_ kind: String) -> [Column] {
        [
            nameColumn,
            Column(
                name: "Role",
                description: "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error."
            ) { object, _ in
                let roleRef = object.object["roleRef"]
                return .string("\(roleRef?["kind"]?.stringValue ?? "")/\(roleRef?["name"]?.stringValue ?? "")")
            },
            ageColumn,
            subjectsColumn("Users", "Users in the \(kind)", kinds: ["User"]),
            subjectsColumn("Groups", "Groups in the \(kind)", kinds: ["Group"]),
            subjectsColumn("ServiceAccounts", "ServiceAccounts in the \(kind)", kinds: ["ServiceAccount"]),
        ]
    }

    private static func subjectsColumn(_ name: String, _ description: String, kinds: Set<String>) -> Column {
        Column(name: name, description: description, priority: 1) { object, _ in
            let names = (object.object["subjects"]?.arrayValue ?? []).compactMap { subject -> String? in
                guard let kind = subject["kind"]?.stringValue, kinds.contains(kind) else { return nil }
                let name = subject["name"]?.stringValue ?? ""
                let namespace = subject["namespace"]?.stringValue ?? ""
                return kind == "ServiceAccount" && !namespace.isEmpty ? "\(namespace)/\(name)" : name
            }
            return .string(names.joined(separator: ", "))
        }
    }
}
