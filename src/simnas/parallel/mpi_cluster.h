// The MPI implementation of Cluster (mpi_cluster.cpp, built only with SIMNAS_WITH_MPI).
#pragma once

#include <memory>

#include "simnas/parallel/cluster.h"

namespace simnas {

// Initializes MPI (thread level serialized: rank 0 serves the other ranks from a thread of
// its own while its main thread computes) and finalizes it when the cluster is destroyed.
std::unique_ptr<Cluster> MakeMpiCluster(int* argc, char*** argv);

}  // namespace simnas
