import OrderedCollections
import Resources

extension RenderContext {
    /// The traits of an entry that may not be attached to its workload — their TraitDefinition's
    /// `appliesToWorkloads` leaves the workload's definition out — or that conflict with one
    /// another (`conflictsWith`): the same checks as `mizzen validate` and admission
    /// (``Validator``), made here too so that an AppConfig admitted without them (no webhook,
    /// a definition installed later) reports them instead of running the traits.
    ///
    /// The reference runtime reads `appliesToWorkloads` only in its admission webhook and never
    /// reads `conflictsWith` (spec §10.4); Mizzen enforces both when it renders.
    func traitRuleViolations(
        _ definitions: [(name: String, definition: TraitDefinition?)], workload: JSONValue, component: String,
        path: FieldPath
    ) -> [Diagnostic] {
        let validator = Validator(catalog: catalog)
        let workloadDefinition = catalog.workloadDefinition(for: workload)
        var out: [Diagnostic] = []
        var attached: [Validator.AttachedTrait] = []
        for (index, entry) in definitions.enumerated() {
            guard let definition = entry.definition else { continue }
            attached.append(.init(index: index, name: entry.name, definition: definition))
            out += validator.appliesTo(
                definition, workload: workload, workloadDefinition: workloadDefinition, component: component,
                subject: subject, path: path.appending("traits").appending(index: index).appending("trait"))
        }
        out += validator.traitConflicts(attached, component: component, subject: subject, path: path)
        return out
    }
}
