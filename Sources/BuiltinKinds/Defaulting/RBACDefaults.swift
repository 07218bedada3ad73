import OrderedCollections
import Resources

/// Defaults of the RBAC bindings (`pkg/apis/rbac/v1/defaults.go`): `roleRef.apiGroup` is the RBAC
/// group when left empty, and so is the `apiGroup` of a User or Group subject (a ServiceAccount
/// subject's stays empty). Members keep the order of kube's Go structs.
extension BuiltinKinds {
    static func applyRoleBindingDefaults(_ binding: inout JSONObject) {
        binding.editObject("roleRef") { roleRef in
            guard (roleRef["apiGroup"]?.stringValue ?? "").isEmpty else { return }
            roleRef = ordered(roleRef, setting: "apiGroup", to: rbacGroup, order: ["apiGroup", "kind", "name"])
        }
        binding.editEachObject(in: "subjects") { subject in
            guard (subject["apiGroup"]?.stringValue ?? "").isEmpty,
                let kind = subject["kind"]?.stringValue, kind == "User" || kind == "Group"
            else { return }
            subject = ordered(subject, setting: "apiGroup", to: rbacGroup, order: ["kind", "apiGroup", "name", "namespace"])
        }
    }

    /// `object` with `key` set to `value`, its members in `order` first, then the others as they were.
    private static func ordered(_ object: JSONObject, setting key: String, to value: String, order: [String]) -> JSONObject {
        var source = object
        source[key] = .string(value)
        var result: JSONObject = [:]
        for name in order { if let member = source[name] { result[name] = member } }
        for (name, member) in source where result[name] == nil { result[name] = member }
        return result
    }
}
