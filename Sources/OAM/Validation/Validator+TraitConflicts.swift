import OrderedCollections
import Resources

extension Validator {
    /// A trait of a component, with its definition, as the conflict check sees it.
    struct AttachedTrait {
        /// Its position in the component's `traits`.
        var index: Int
        /// Its TraitDefinition's name.
        var name: String
        var definition: TraitDefinition
    }

    /// Two traits of one component where either's TraitDefinition lists the other in
    /// `conflictsWith` (by definition name, `*.<group>` or `*`): an error at the later one.
    /// Two traits of one type are the duplicate rule's, not this one's.
    func traitConflicts(
        _ traits: [AttachedTrait], component: String, subject: ObjectName, path: FieldPath
    ) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (position, later) in traits.enumerated() {
            for earlier in traits[..<position] where earlier.name != later.name {
                let lister: AttachedTrait
                if Self.lists(earlier.definition, later.name) {
                    lister = earlier
                } else if Self.lists(later.definition, earlier.name) {
                    lister = later
                } else {
                    continue
                }
                let other = lister.index == later.index ? earlier.name : later.name
                out.append(.error(subject, path.appending("traits").appending(index: later.index).appending("trait"),
                    "the trait \"\(later.name)\" conflicts with \"\(earlier.name)\" (traits[\(earlier.index)]) on component \"\(component)\": TraitDefinition \(lister.name) lists \"\(other)\" in conflictsWith; keep one of them"))
            }
        }
        return out
    }

    /// Whether `definition`'s `conflictsWith` names the TraitDefinition `name`.
    static func lists(_ definition: TraitDefinition, _ name: String) -> Bool {
        (definition.spec.conflictsWith ?? []).contains { entry in
            if entry == "*" || entry == name { return true }
            if entry.hasPrefix("*.") { return name.hasSuffix(String(entry.dropFirst())) }
            return false
        }
    }
}
