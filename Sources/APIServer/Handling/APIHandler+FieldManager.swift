import APIMachinery
import Resources

extension APIHandler {
    /// The field manager of a write to `served` through `subresource`, with kube's reset fields:
    /// a type with a status subresource ignores `status` written through the main resource and
    /// `spec` written through `/status`, so neither write records (or changes) what the other
    /// endpoint owns.
    func fieldManager(_ served: ServedResource, subresource: String?) -> FieldManager {
        guard served.type.hasStatus || served.subresource("status") != nil else {
            return FieldManager(subresource: subresource)
        }
        switch subresource {
        case nil: return FieldManager(subresource: nil, ignoredFields: ["status"])
        case "status": return FieldManager(subresource: subresource, ignoredFields: ["spec"])
        default: return FieldManager(subresource: subresource)
        }
    }
}
