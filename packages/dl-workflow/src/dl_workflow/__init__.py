"""dl-workflow: chapter 4 of *Deep Learning with Python* (the fundamentals of machine learning),
plus the callbacks of chapter 7, rebuilt on dl-layers.

Doing machine learning right: evaluation protocols (hold-out, K-fold, iterated K-fold,
temporal splits) that scikit-learn's tools also accept, leakage and redundancy checks,
normalizers fitted on training data only, baselines to beat (including a statistical model),
learning curves, capacity sweeps, cross-validation in parallel, the final evaluation, the
callbacks that watch training (early stopping, checkpoints, learning-rate schedules, logs,
TensorBoard) and hyper-parameter search.

    >>> import numpy as np
    >>> from dl_workflow import KFold, Normalizer
    >>> [len(val) for _, val in KFold(4).split(np.zeros((10, 2)))]
    [3, 3, 2, 2]
    >>> Normalizer().fit_transform(np.array([[1.0], [3.0]]))[:, 0]
    array([-1.,  1.])
"""

from . import datasets
from .baselines import (
    LinearRegression,
    LogisticRegression,
    MajorityClassifier,
    MeanRegressor,
    MedianRegressor,
    PersistenceForecast,
    StratifiedRandomClassifier,
    evaluate_baseline,
)
from .callbacks import (
    CSVLogger,
    EarlyStopping,
    JSONLinesLogger,
    JSONLogger,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TensorBoard,
    TerminateOnNaN,
)
from .capacity import CapacityReport, capacity_sweep
from .cross_validation import CrossValidationResult, FinalEvaluation, cross_validate, final_evaluation
from .leakage import LeakageReport, check_temporal_split, find_duplicates, leakage_report
from .learning_curves import LearningCurve, learning_curve
from .normalization import Normalizer
from .search import SearchResult, grid_search, random_search
from .splits import (
    IteratedKFold,
    KFold,
    RepeatedKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    temporal_split,
    train_test_split,
    train_val_test_split,
)

__version__ = "0.1.0"

__all__ = [
    "CSVLogger",
    "CapacityReport",
    "CrossValidationResult",
    "EarlyStopping",
    "FinalEvaluation",
    "IteratedKFold",
    "JSONLinesLogger",
    "JSONLogger",
    "KFold",
    "LambdaCallback",
    "LeakageReport",
    "LearningCurve",
    "LearningRateScheduler",
    "LinearRegression",
    "LogisticRegression",
    "MajorityClassifier",
    "MeanRegressor",
    "MedianRegressor",
    "ModelCheckpoint",
    "Normalizer",
    "PersistenceForecast",
    "ReduceLROnPlateau",
    "RepeatedKFold",
    "SearchResult",
    "StratifiedKFold",
    "StratifiedRandomClassifier",
    "TensorBoard",
    "TerminateOnNaN",
    "TimeSeriesSplit",
    "capacity_sweep",
    "check_temporal_split",
    "cross_validate",
    "datasets",
    "evaluate_baseline",
    "final_evaluation",
    "find_duplicates",
    "grid_search",
    "learning_curve",
    "leakage_report",
    "random_search",
    "temporal_split",
    "train_test_split",
    "train_val_test_split",
]
