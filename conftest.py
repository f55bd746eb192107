pytest_plugins = ["eldercare.common.testing.plugin"]
