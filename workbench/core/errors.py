"""Exceptions whose message is written for the user: the CLI prints it, the GUI shows it."""


class WorkbenchError(Exception):
    """An error with a message a user can act on; never shown with a traceback."""


class DocumentError(WorkbenchError):
    """An experiment file cannot be read, or a document field is invalid."""


class SourceError(WorkbenchError):
    """A data source string cannot be parsed or names something unknown."""


class DataError(WorkbenchError):
    """A dataset cannot be loaded or preprocessed."""


class DesignError(WorkbenchError):
    """A model design cannot be built."""


class TrainingError(WorkbenchError):
    """Training cannot start or failed."""


class RunError(WorkbenchError):
    """A run folder is missing, corrupt or unusable."""


class NotAvailableYet(WorkbenchError):
    """A command whose capability has not landed yet."""


class StorageError(WorkbenchError, OSError):
    """A file cannot be written. Also an ``OSError``, so callers that catch write failures still do."""
