import Testing
@testable import APIMachinery
