/// The Endpoints and EndpointSlice controllers.
enum EndpointControllers {
    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {}
}
