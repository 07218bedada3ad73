public import Resources

/// `rbac.authorization.k8s.io/v1`: Roles and RoleBindings (namespaced), ClusterRoles and
/// ClusterRoleBindings, served as kube-apiserver lists them in discovery (no short names, no
/// categories, no status, every verb).
extension BuiltinTypes {
    /// The group of the RBAC kinds.
    public static let rbacGroup = "rbac.authorization.k8s.io"

    public static let roles = rbac("roles", "Role", namespaced: true)
    public static let roleBindings = rbac("rolebindings", "RoleBinding", namespaced: true)
    public static let clusterRoles = rbac("clusterroles", "ClusterRole", namespaced: false)
    public static let clusterRoleBindings = rbac("clusterrolebindings", "ClusterRoleBinding", namespaced: false)

    /// The four RBAC kinds, in the order `kubectl api-resources` lists them.
    public static let rbacKinds: [ServedResource] = [clusterRoleBindings, clusterRoles, roleBindings, roles]

    private static func rbac(_ resource: String, _ kind: String, namespaced: Bool) -> ServedResource {
        ServedResource(type: ResourceType(
            group: rbacGroup, version: "v1", resource: resource, kind: kind, namespaced: namespaced,
            hasStatus: false, tracksGeneration: false))
    }
}
