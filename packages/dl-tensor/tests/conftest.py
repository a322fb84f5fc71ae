from dl_tensor.testing import use_hypothesis_profiles

use_hypothesis_profiles()
