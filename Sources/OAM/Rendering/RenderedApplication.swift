import OrderedCollections
public import Resources

/// What an ApplicationConfiguration stands for: the objects to apply, the data edges between
/// them and what stops any of them from being applied yet.
public struct RenderedApplication: Sendable {
    /// One entry per `spec.components` entry that rendered, in spec order.
    public var components: [RenderedComponent]
    /// Scope objects with the references of the ready workloads added.
    public var scopes: [RenderedScope]
    /// Every data edge: which output feeds which field, and its value or why it waits.
    public var dataEdges: [DataEdge]
    /// Errors that kept a component entry from rendering; other entries still render.
    public var errors: [Diagnostic]
    /// The positions in `spec.components` of the entries that did not render (see ``errors``):
    /// their live objects are left as they are until they render again.
    public var failedEntries: [Int] = []
    /// The stores the entries' `outputStore`s name, with what the ready outputs write (spec §6.6).
    public var stores: [RenderedStore] = []

    /// `status.dependency.unsatisfied` as the reference runtime writes it.
    public var unsatisfiedDependencies: [ApplicationConfiguration.UnsatisfiedDependency] {
        dataEdges.compactMap(\.unsatisfiedDependency)
    }

    /// Every rendered object, workloads before their traits, in spec order.
    public var objects: [RenderedObject] {
        components.flatMap { [$0.workload] + $0.traits }
    }
}

/// One rendered `spec.components` entry.
public struct RenderedComponent: Sendable {
    /// Position in `spec.components`.
    public var entryIndex: Int
    public var componentName: String
    /// `<component>-vN` of the revision rendered; empty when the component has none yet.
    public var revisionName: String
    public var workload: RenderedObject
    public var traits: [RenderedObject]
    public var scopes: [TypedReference]
    /// Whether a revisionEnabled trait gives each revision its own workload.
    public var isRevisionEnabled: Bool

    /// The entry of `status.workloads` for this component.
    public var workloadStatus: ApplicationConfiguration.WorkloadStatus {
        ApplicationConfiguration.WorkloadStatus(
            componentName: componentName, componentRevisionName: revisionName,
            workloadRef: TypedReference(to: workload.object),
            traits: traits.map { .init(traitRef: TypedReference(to: $0.object), message: $0.message) },
            scopes: scopes.map { .init(scopeRef: $0) })
    }
}

/// A workload or trait to apply.
public struct RenderedObject: Sendable {
    public enum Role: Sendable, Hashable {
        case workload
        /// The trait at this index of the component entry.
        case trait(Int)
    }

    public var object: Resource
    public var role: Role
    /// The definition the object was rendered with (`dummy` for a trait without one).
    public var definitionName: String
    /// Where the object comes from: `AppConfig/shop · Component/web · Trait/ManualScalerTrait`.
    public var provenance: String
    /// The data edges that feed this object.
    public var inputs: [DataEdge]
    /// A note for the status entry (a trait without definition).
    public var message: String?
    /// The edges of this object's `outputStore` operations (they do not hold the object back).
    public var outputs: [DataEdge] = []
    /// For a workload: the fields its component's traits set themselves (``TraitOwnedField``),
    /// left out of what is applied (``objectToApply(live:)``).
    public var traitOwnedFields: [TraitOwnedField] = []

    /// Whether every input is satisfied, so that the object may be applied now.
    public var isReady: Bool { inputs.allSatisfy(\.isSatisfied) }
}

/// A scope object with the workloads that belong to it.
public struct RenderedScope: Sendable {
    public var reference: TypedReference
    /// The scope as it should be: the existing object with the member references added at the
    /// definition's `workloadRefsPath`.
    public var object: Resource
    /// The workloads that are members.
    public var members: [TypedReference]
}

/// A data output feeding a data input.
public struct DataEdge: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        /// Ready; the value passed (null for an ordering-only dependency).
        case satisfied(JSONValue)
        /// Not ready, with why.
        case waiting(String)
    }

    /// The `dataOutputs[].name` this edge reads.
    public var outputName: String
    public var from: ApplicationConfiguration.DependencyFrom
    public var to: ApplicationConfiguration.DependencyTo
    public var state: State

    public var isSatisfied: Bool {
        if case .satisfied = state { return true }
        return false
    }

    /// The reference runtime's `status.dependency.unsatisfied` entry, when waiting.
    public var unsatisfiedDependency: ApplicationConfiguration.UnsatisfiedDependency? {
        guard case .waiting(let reason) = state else { return nil }
        return .init(reason: reason, from: from, to: to)
    }
}
