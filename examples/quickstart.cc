#include <iostream>

#include <nabla/nabla.h>
using namespace nabla;

int main(int argc, char** argv) {  // argv[1]: another folder with Fashion-MNIST's training files
  const std::string dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
  Tensor images = load_idx(dir + "/train-images-idx3-ubyte.gz");  // (60000, 28, 28)
  Tensor x = images.view({images.shape()[0], 784}) / 255.f;
  Tensor y = load_idx(dir + "/train-labels-idx1-ubyte.gz");

  Sequential model({Input({784}), Dense(256, "relu"), Dense(128, "relu"), Dense(10, "softmax")});
  model.compile(Adam(1e-3), "sparse_categorical_crossentropy", {"accuracy"});
  model.fit(x, y, FitOptions().epochs(5).batch_size(128).validation_split(0.1));
  std::cout << "image 0 is class " << argmax(model.predict(x.rows(0, 1)), 1) << "\n";
  model.save("fashion_mlp.h5");
}
