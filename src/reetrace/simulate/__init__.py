"""`reetrace simulate`: a national year of the chain calibrated on the published quotas (or a
fraction of one), with violations injected at realistic rates, streamed to disk. See `run`."""

from reetrace.simulate.calibration import Calibration, calibrate
from reetrace.simulate.run import SimulatedYear, prepare, simulate

__all__ = ["Calibration", "SimulatedYear", "calibrate", "prepare", "simulate"]
