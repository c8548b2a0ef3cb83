import pytest


@pytest.fixture(autouse=True)
def _application_names(qapp):
    """QSettings needs the organisation/application names the real app sets."""
    from workbench.gui.app import make_application

    make_application()
    yield
