import OrderedCollections
public import Resources

/// An object data outputs write to (`outputStore`, spec §6.6): a ConfigMap, a Secret or any
/// custom resource in the AppConfig's namespace, which `inputStore`s read.
public struct RenderedStore: Sendable {
    /// The store's apiVersion, kind and name.
    public var reference: TypedReference
    /// The first `outputStore` that names it (`spec.components[1].dataOutputs[0].outputStore`).
    public var path: FieldPath
    /// The store as it exists (from the catalog); `nil` when it does not exist yet.
    public var live: Resource?
    /// The store with the operations of every ready output applied, in spec order: the live
    /// object, or a new one controlled by the AppConfig; `nil` when no output writing to it is
    /// ready.
    public var desired: Resource?

    /// Whether the store must be written: it is missing, or an operation changed it. Compared as
    /// JSON values, whose objects are equal whatever their member order (a server may send the
    /// members back in another order than they were written).
    public var needsWrite: Bool {
        guard let desired else { return false }
        guard let live else { return true }
        return live.value != desired.value
    }

    /// The label a store created for an AppConfig carries: the garbage collector of the
    /// AppConfig's objects leaves such a store alone (it lives as long as the AppConfig, which
    /// controls it, since other AppConfigs may read it).
    public static let label = "mizzen.oam.dev/data-store"

    /// Whether `object` is a store an AppConfig created.
    public static func isStore(_ object: Resource) -> Bool {
        object.labels[label] != nil
    }
}

/// The stores of one render, by group, kind and name, in the order the spec names them.
struct StoreTable {
    var stores: OrderedDictionary<String, RenderedStore> = [:]

    static func key(_ reference: StoreReference) -> String {
        "\(GroupVersion.group(ofAPIVersion: reference.apiVersion ?? ""))/\(reference.kind ?? "")/\(reference.name)"
    }
}

/// Data passing through stores (spec §6.6), in the pure render: the stores are read from the
/// catalog (the controller adds the stores an AppConfig names, and watches them), and the
/// controller writes what ``RenderedStore/desired`` says after applying the objects.
///
/// Differences from the reference runtime, on purpose:
/// - a store an `inputStore` names that does not exist yet holds its consumer back as an
///   unsatisfied dependency with a reason (the reference fails the whole reconcile);
/// - a value a `valueFrom.fieldPath` names that is missing keeps the output or input waiting
///   with a reason (the reference fails the reconcile);
/// - `value` is a JSON literal everywhere, also inside a `toDataPath` document (the reference
///   turns it into a string there); text that is not JSON is a string;
/// - `delete` without `toDataPath` removes the field (the reference ignores `op` there), and
///   needs no value;
/// - `add`/`replace` create what is missing on the way; inside a document `add` at an array
///   index inserts, `replace` overwrites (JSON patch);
/// - every operation is reported as an edge in `status.dataEdges`; waiting ones in
///   `status.dependency.unsatisfied` with the reference's `to.fieldPaths` (`toFieldPath(toDataPath)`);
/// - an output's source values are read from the cached live object: a change its own apply
///   makes reaches the store on the reconcile that change triggers.
extension RenderContext {
    // MARK: Stores (spec §6.6)

    /// Evaluates the `outputStore` operations of every rendered entry, records an edge per
    /// operation on the object that outputs, and writes the ready outputs into their stores.
    mutating func renderStores(_ components: inout [RenderedComponent]) -> [RenderedStore] {
        var table = StoreTable()
        for position in components.indices {
            let entryIndex = components[position].entryIndex
            let entry = appConfig.spec.components[entryIndex]
            let base = FieldPath([.field("spec"), .field("components"), .index(entryIndex)])
            resolveOutputStores(entry.dataOutputs, of: &components[position].workload, into: &table,
                                path: base.appending("dataOutputs"))
            for (traitIndex, trait) in (entry.traits ?? []).enumerated() where traitIndex < components[position].traits.count {
                resolveOutputStores(
                    trait.dataOutputs, of: &components[position].traits[traitIndex], into: &table,
                    path: base.appending("traits").appending(index: traitIndex).appending("dataOutputs"))
            }
        }
        return Array(table.stores.values)
    }

    /// The store an `outputStore`/`inputStore` names, or `nil` after recording what it lacks.
    mutating func storeReference(_ store: StoreReference, path: FieldPath) -> TypedReference? {
        for (field, value) in [("apiVersion", store.apiVersion), ("kind", store.kind)] where (value ?? "").isEmpty {
            fail(path.appending(field), "the store \(store.name) needs \(field) (for example apiVersion: v1, kind: ConfigMap)")
            return nil
        }
        guard !store.name.isEmpty else {
            fail(path.appending("name"), "the store needs a name")
            return nil
        }
        return TypedReference(apiVersion: store.apiVersion ?? "", kind: store.kind ?? "", name: store.name)
    }

    /// The operations of `operations` that are malformed, recorded as errors; `false` if any.
    mutating func checkOperations(_ operations: [DataOperation], path: FieldPath) -> Bool {
        var ok = true
        for (index, operation) in operations.enumerated() {
            guard let problem = DataStoreOperation.problem(in: operation) else { continue }
            fail(Self.operationPath(path, index, field: problem.field), problem.message)
            ok = false
        }
        return ok
    }

    static func operationPath(_ path: FieldPath, _ index: Int, field: String) -> FieldPath {
        path.appending("operations").appending(index: index)
            .appending((try? FieldPath(parsing: field)) ?? FieldPath([.field(field)]))
    }

    /// Whether one operation is ready, and the value it reads (spec §6.2 read as §6.6 does: the
    /// value at `valueFrom.fieldPath` of `object`, checked by the operation's conditions).
    /// A ready operation's state carries the value it writes: its `value` as a JSON literal when
    /// it has one, else what it read.
    func evaluate(_ operation: DataOperation, on object: TypedReference) -> DataEdge.State {
        let state = evaluate(OutputSource(
            apiVersion: object.apiVersion, kind: object.kind, name: object.name, namespace: namespace,
            output: DataOutput(fieldPath: operation.valueFrom?.fieldPath, conditions: operation.conditions)))
        if case .satisfied = state, let text = operation.value, !text.isEmpty {
            return .satisfied(DataStoreOperation.literal(text))
        }
        return state
    }

    static func isReady(_ states: [DataEdge.State]) -> Bool {
        states.allSatisfy { if case .satisfied = $0 { true } else { false } }
    }

    /// Applies `operations` with their values to `object`; `false` after recording the first
    /// failure as an error at `path`.
    mutating func apply(
        _ operations: [DataOperation], states: [DataEdge.State], to object: inout Resource, path: FieldPath,
        what: String
    ) -> Bool {
        var value = object.value
        for (index, operation) in operations.enumerated() {
            do {
                var written: JSONValue?
                if case .satisfied(let read) = states[index] { written = read }
                try DataStoreOperation.apply(operation, value: written, to: &value)
            } catch {
                fail(Self.operationPath(path, index, field: error.field), "cannot \(what): \(error.message)")
                return false
            }
        }
        guard case .object(let members) = value,
            members["apiVersion"] == object.object["apiVersion"], members["kind"] == object.object["kind"],
            members["metadata"]?["name"] == object.object["metadata"]?["name"],
            members["metadata"]?["namespace"] == object.object["metadata"]?["namespace"]
        else {
            fail(path.appending("operations"),
                 "cannot \(what): the operations must not change the object's apiVersion, kind, name or namespace")
            return false
        }
        object = Resource(object: members)
        return true
    }

    // MARK: Outputs

    /// The edges of `source`'s `outputStore`s, and the ready ones written into `table`.
    mutating func resolveOutputStores(
        _ dataOutputs: [DataOutput]?, of source: inout RenderedObject, into table: inout StoreTable, path: FieldPath
    ) {
        for (outputIndex, output) in (dataOutputs ?? []).enumerated() {
            guard let store = output.outputStore else { continue }
            let storePath = path.appending(index: outputIndex).appending("outputStore")
            guard let reference = storeReference(store, path: storePath) else { continue }
            let key = StoreTable.key(store)
            if table.stores[key] == nil {
                table.stores[key] = RenderedStore(
                    reference: reference, path: storePath,
                    live: catalog.object(apiVersion: reference.apiVersion, kind: reference.kind, namespace: namespace,
                                         name: reference.name))
            }
            let operations = store.operations ?? []
            guard checkOperations(operations, path: storePath) else { continue }

            let producer = TypedReference(to: source.object)
            let outputName = output.name ?? ""
            func edge(_ state: DataEdge.State, fieldPath: String?, destinations: [String]) -> DataEdge {
                DataEdge(
                    outputName: outputName,
                    from: .init(apiVersion: producer.apiVersion, kind: producer.kind, name: producer.name,
                                fieldPath: fieldPath),
                    to: .init(apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name,
                              fieldPaths: destinations),
                    state: state)
            }
            guard catalog.object(apiVersion: producer.apiVersion, kind: producer.kind, namespace: namespace,
                                 name: producer.name) != nil
            else {
                // One edge for the whole output: nothing can be read before the producer exists.
                source.outputs.append(edge(
                    .waiting("\(producer.kind)/\(producer.name) does not exist yet"), fieldPath: nil,
                    destinations: operations.map(\.destination)))
                continue
            }
            let states = operations.map { evaluate($0, on: producer) }
            for (operation, state) in zip(operations, states) {
                source.outputs.append(edge(
                    state, fieldPath: operation.valueFrom?.fieldPath, destinations: [operation.destination]))
            }
            // An output writes all its operations or none.
            guard Self.isReady(states) else { continue }
            var desired = table.stores[key]?.desired ?? table.stores[key]?.live ?? newStore(reference)
            if apply(operations, states: states, to: &desired, path: storePath,
                     what: "write dataOutput \(outputName.isEmpty ? "" : "\"\(outputName)\" ")to \(reference)")
            {
                table.stores[key]?.desired = desired
            }
        }
    }

    /// A store that does not exist yet: controlled by the AppConfig, labelled as its store.
    func newStore(_ reference: TypedReference) -> Resource {
        var store = Resource(apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name,
                             namespace: namespace)
        store.withMetadata { metadata in
            metadata["labels"] = [OAM.Label.appName: appName, RenderedStore.label: appName]
            metadata["ownerReferences"] = ownerReferences
        }
        return store
    }

    // MARK: Inputs

    /// Evaluates the `inputStore` of `input` and, when every operation is ready, copies the data
    /// from the store into `target`; `false` after recording an error.
    mutating func resolveInputStore(
        _ input: DataInput, into target: inout RenderedObject, path inputPath: FieldPath
    ) -> Bool {
        guard let store = input.inputStore else { return true }
        let storePath = inputPath.appending("inputStore")
        guard let reference = storeReference(store, path: storePath) else { return false }
        let operations = store.operations ?? []
        guard checkOperations(operations, path: storePath) else { return false }
        let consumer = TypedReference(to: target.object)
        func edge(_ state: DataEdge.State, fieldPath: String?, destinations: [String]) -> DataEdge {
            DataEdge(
                outputName: "",  // it reads a store, not a named output
                from: .init(apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name,
                            fieldPath: fieldPath),
                to: .init(apiVersion: consumer.apiVersion, kind: consumer.kind, name: consumer.name,
                          fieldPaths: destinations),
                state: state)
        }
        guard catalog.object(apiVersion: reference.apiVersion, kind: reference.kind, namespace: namespace,
                             name: reference.name) != nil
        else {
            // A missing store is a dependency not met yet (the reference runtime fails the
            // reconcile): the consumer waits, and the store's creation brings it along.
            target.inputs.append(edge(
                .waiting("\(reference) does not exist yet"), fieldPath: nil, destinations: operations.map(\.destination)))
            return true
        }
        var states = operations.map { evaluate($0, on: reference) }
        // The input's own conditions look at the consumer as it exists ("fill only while empty").
        if let conditions = input.conditions, !conditions.isEmpty,
            Self.isReady(states),
            let live = catalog.object(apiVersion: consumer.apiVersion, kind: consumer.kind, namespace: namespace,
                                      name: consumer.name),
            let failure = check(conditions, defaultSubject: nil, on: live)
        {
            states = states.map { _ in .waiting("DataInputs Conditions: \(failure)") }
        }
        for (operation, state) in zip(operations, states) {
            target.inputs.append(edge(state, fieldPath: operation.valueFrom?.fieldPath, destinations: [operation.destination]))
        }
        guard Self.isReady(states) else { return true }
        return apply(operations, states: states, to: &target.object, path: storePath,
                     what: "copy data from \(reference) into \(consumer)")
    }
}
