"""Published reference data for the agreement statistics (test helper).

Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for Communication
Departmental Papers 43 (repository.upenn.edu/asc_papers/43), section C: four observers, twelve units, nominal
data with missing values; the paper gives alpha = 0.743 (the same data appear as the "C" data in R's
irr::kripp.alpha / DescTools::KrippAlpha examples).
"""
N = None
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
KRIPPENDORFF_C_ALPHA = 0.743
